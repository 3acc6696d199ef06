package httpapi

// Webhooks is the webhook service the API calls; wired in the app.
type Webhooks interface{}
