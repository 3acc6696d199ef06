package httpapi

// Realtime is the WebSocket hub the API hands connections to; wired in the app.
type Realtime interface{}
