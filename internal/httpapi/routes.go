package httpapi

import "net/http"

// route is one API endpoint. Every endpoint is listed here, in one table, so the
// surface can be read at a glance and the tenant-isolation test covers it all.
type route struct {
	method, pattern string
	perm            perm
	public          bool // no authentication by the guard (sign-in, password reset)
	ownAuth         bool // public to the guard because the handler authenticates itself
	handler         http.HandlerFunc
}

func (a *API) routes() []route {
	return []route{
		{method: "POST", pattern: "/api/v1/auth/login", public: true, handler: a.login},
		{method: "POST", pattern: "/api/v1/auth/logout", handler: a.logout},
		{method: "POST", pattern: "/api/v1/auth/password-reset", public: true, handler: a.requestPasswordReset},
		{method: "POST", pattern: "/api/v1/auth/password-reset/confirm", public: true, handler: a.confirmPasswordReset},

		{method: "GET", pattern: "/api/v1/me", handler: a.me},
		{method: "PUT", pattern: "/api/v1/me/presence", perm: permSelf, handler: a.setPresence},

		{method: "GET", pattern: "/api/v1/users", perm: permRead, handler: a.listUsers},
		{method: "POST", pattern: "/api/v1/users", perm: permManageUsers, handler: a.createUser},
		{method: "GET", pattern: "/api/v1/users/{userID}", perm: permRead, handler: a.getUser},
		{method: "PATCH", pattern: "/api/v1/users/{userID}", perm: permManageUsers, handler: a.updateUser},
		{method: "POST", pattern: "/api/v1/users/{userID}/password-reset-link", perm: permManageUsers, handler: a.userResetLink},

		{method: "GET", pattern: "/api/v1/api-keys", perm: permManageKeys, handler: a.listAPIKeys},
		{method: "POST", pattern: "/api/v1/api-keys", perm: permManageKeys, handler: a.createAPIKey},
		{method: "GET", pattern: "/api/v1/api-keys/{apiKeyID}", perm: permManageKeys, handler: a.getAPIKey},
		{method: "DELETE", pattern: "/api/v1/api-keys/{apiKeyID}", perm: permManageKeys, handler: a.revokeAPIKey},

		{method: "GET", pattern: "/api/v1/webhooks", perm: permManageWebhooks, handler: a.listWebhooks},
		{method: "POST", pattern: "/api/v1/webhooks", perm: permManageWebhooks, handler: a.createWebhook},
		{method: "GET", pattern: "/api/v1/webhooks/{webhookID}", perm: permManageWebhooks, handler: a.getWebhook},
		{method: "PATCH", pattern: "/api/v1/webhooks/{webhookID}", perm: permManageWebhooks, handler: a.updateWebhook},
		{method: "DELETE", pattern: "/api/v1/webhooks/{webhookID}", perm: permManageWebhooks, handler: a.deleteWebhook},
		{method: "POST", pattern: "/api/v1/webhooks/{webhookID}/ping", perm: permManageWebhooks, handler: a.pingWebhook},
		{method: "GET", pattern: "/api/v1/webhooks/{webhookID}/deliveries", perm: permManageWebhooks, handler: a.listDeliveries},
		{method: "GET", pattern: "/api/v1/webhook-deliveries/{deliveryID}", perm: permManageWebhooks, handler: a.getDelivery},
		{method: "POST", pattern: "/api/v1/webhook-deliveries/{deliveryID}/replay", perm: permManageWebhooks, handler: a.replayDelivery},

		{method: "POST", pattern: "/api/v1/realtime/token", perm: permSelf, handler: a.realtimeToken},
		{method: "GET", pattern: "/api/v1/realtime", public: true, ownAuth: true, handler: a.realtimeConnect},

		{method: "GET", pattern: "/api/v1/conversations", perm: permRead, handler: a.listConversations},
		{method: "GET", pattern: "/api/v1/conversations/{conversationID}", perm: permRead, handler: a.getConversation},
		{method: "PATCH", pattern: "/api/v1/conversations/{conversationID}", perm: permConverse, handler: a.updateConversation},
		{method: "GET", pattern: "/api/v1/conversations/{conversationID}/messages", perm: permRead, handler: a.listMessages},
		{method: "POST", pattern: "/api/v1/conversations/{conversationID}/messages", perm: permConverse, handler: a.replyToConversation},
		{method: "POST", pattern: "/api/v1/conversations/{conversationID}/notes", perm: permConverse, handler: a.addNote},
		{method: "POST", pattern: "/api/v1/conversations/{conversationID}/typing", perm: permConverse, handler: a.setTyping},
		{method: "POST", pattern: "/api/v1/conversations/{conversationID}/read", perm: permConverse, handler: a.markRead},
		{method: "GET", pattern: "/api/v1/channels", perm: permRead, handler: a.listChannels},
		{method: "GET", pattern: "/api/v1/channel-accounts", perm: permManageChannels, handler: a.listChannelAccounts},
		{method: "POST", pattern: "/api/v1/channel-accounts", perm: permManageChannels, handler: a.createChannelAccount},
		{method: "DELETE", pattern: "/api/v1/channel-accounts/{channelAccountID}", perm: permManageChannels, handler: a.deleteChannelAccount},
		{method: "POST", pattern: "/api/v1/channels/api/messages", perm: permConverse, handler: a.postAPIMessage},
		{method: "POST", pattern: "/api/v1/channels/api/receipts", perm: permConverse, handler: a.postAPIReceipt},
		{method: "GET", pattern: "/api/v1/attachments/{attachmentID}", perm: permRead, handler: a.getAttachment},

		{method: "GET", pattern: "/api/v1/personas", perm: permRead, handler: a.listPersonas},
		{method: "GET", pattern: "/api/v1/personas/{personaID}", perm: permRead, handler: a.getPersona},
		{method: "PATCH", pattern: "/api/v1/personas/{personaID}", perm: permConverse, handler: a.updatePersona},
		{method: "POST", pattern: "/api/v1/personas/{personaID}/identifiers", perm: permConverse, handler: a.addIdentifier},
		{method: "POST", pattern: "/api/v1/personas/{personaID}/merge", perm: permConverse, handler: a.mergePersona},
		{method: "POST", pattern: "/api/v1/persona-merges/{mergeID}/undo", perm: permConverse, handler: a.undoMerge},

		{method: "GET", pattern: "/api/v1/audit-log", perm: permReadAudit, handler: a.listAudit},
		{method: "GET", pattern: "/api/v1/event-types", perm: permRead, handler: a.eventTypes},
	}
}
