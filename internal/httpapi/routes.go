package httpapi

import "net/http"

// route is one API endpoint. Every endpoint is listed here, in one table, so the
// surface can be read at a glance and the tenant-isolation test covers it all.
type route struct {
	method, pattern string
	perm            perm
	public          bool // no authentication by the guard (sign-in, password reset)
	ownAuth         bool // public to the guard because the handler authenticates itself
	// portal routes are the consumer portal's: public ones sign in, the others
	// need a customer's portal session (see portalGuard).
	portal bool
	// signed routes carry their credential in the path (a notice's signed
	// link); they are not limited per address, as mail providers post
	// one-click unsubscribes from shared ones.
	signed bool
	// streams routes write a long answer as it is made (an export): no
	// Idempotency-Key, which would hold the whole answer in memory.
	streams bool
	// enrol routes stay open to a user whose tenant requires a second factor
	// they have not set up yet: enough to see who they are and set it up.
	enrol bool
	// community routes read other member workspaces' shared practices by
	// design; TestCommunity proves what crosses and that non-members see none.
	community bool
	// rooms routes read one conversation (or its customer), named in the
	// path: a caller without the route's permission who reads in rooms (an
	// expert) may still call them while a member of a swarm room on it, and
	// gets 404 otherwise (expert_reads.go, ADR 0032).
	rooms   bool
	handler http.HandlerFunc
}

func (a *API) routes() []route {
	return []route{
		{method: "POST", pattern: "/api/v1/auth/login", public: true, handler: a.login},
		{method: "POST", pattern: "/api/v1/auth/logout", enrol: true, handler: a.logout},
		{method: "POST", pattern: "/api/v1/auth/password-reset", public: true, handler: a.requestPasswordReset},
		{method: "POST", pattern: "/api/v1/auth/password-reset/confirm", public: true, handler: a.confirmPasswordReset},

		{method: "GET", pattern: "/api/v1/me", enrol: true, handler: a.me},
		{method: "PUT", pattern: "/api/v1/me/presence", perm: permSelf, handler: a.setPresence},

		{method: "GET", pattern: "/api/v1/users", perm: permReadStaff, handler: a.listUsers},
		{method: "POST", pattern: "/api/v1/users", perm: permManageUsers, handler: a.createUser},
		{method: "GET", pattern: "/api/v1/users/{userID}", perm: permReadStaff, handler: a.getUser},
		{method: "PATCH", pattern: "/api/v1/users/{userID}", perm: permManageUsers, handler: a.updateUser},
		{method: "POST", pattern: "/api/v1/users/{userID}/password-reset-link", perm: permManageUsers, handler: a.userResetLink},

		{method: "GET", pattern: "/api/v1/signup", public: true, handler: a.signupSettings},
		{method: "POST", pattern: "/api/v1/signup", public: true, handler: a.requestSignup},
		{method: "POST", pattern: "/api/v1/signup/verify", public: true, handler: a.verifySignup},
		{method: "POST", pattern: "/api/v1/signup/complete", public: true, handler: a.completeSignup},
		{method: "POST", pattern: "/api/v1/auth/invitation", public: true, handler: a.viewInvitation},
		{method: "POST", pattern: "/api/v1/auth/invitation/accept", public: true, handler: a.acceptInvitation},
		{method: "GET", pattern: "/api/v1/invitations", perm: permManageUsers, handler: a.listInvitations},
		{method: "POST", pattern: "/api/v1/invitations", perm: permManageUsers, handler: a.createInvitation},
		{method: "POST", pattern: "/api/v1/invitations/{invitationID}/resend", perm: permManageUsers, handler: a.resendInvitation},
		{method: "DELETE", pattern: "/api/v1/invitations/{invitationID}", perm: permManageUsers, handler: a.revokeInvitation},
		{method: "GET", pattern: "/api/v1/me/totp", perm: permSelf, enrol: true, handler: a.totpStatus},
		{method: "POST", pattern: "/api/v1/me/totp", perm: permSelf, enrol: true, handler: a.startTOTP},
		{method: "POST", pattern: "/api/v1/me/totp/confirm", perm: permSelf, enrol: true, handler: a.confirmTOTP},
		{method: "POST", pattern: "/api/v1/me/totp/remove", perm: permSelf, handler: a.removeMyTOTP},
		// The desktop's browsers subscribed to Web Push (ADR 0048).
		{method: "GET", pattern: "/api/v1/me/push-subscriptions", perm: permSelf, handler: a.listMyPushSubscriptions},
		{method: "POST", pattern: "/api/v1/me/push-subscriptions", perm: permSelf, handler: a.subscribeMyPush},
		{method: "POST", pattern: "/api/v1/me/push-subscriptions/remove", perm: permSelf, handler: a.unsubscribeMyPush},
		{method: "DELETE", pattern: "/api/v1/users/{userID}/totp", perm: permManageUsers, handler: a.removeUserTOTP},
		{method: "GET", pattern: "/api/v1/auth-policy", perm: permManageUsers, handler: a.getAuthPolicy},
		{method: "PUT", pattern: "/api/v1/auth-policy", perm: permManageUsers, handler: a.putAuthPolicy},
		{method: "GET", pattern: "/api/v1/users/{userID}/sessions", handler: a.listUserSessions},
		{method: "DELETE", pattern: "/api/v1/users/{userID}/sessions/{sessionID}", handler: a.revokeUserSession},
		{method: "DELETE", pattern: "/api/v1/users/{userID}/sessions", handler: a.revokeUserSessions},
		{method: "GET", pattern: "/api/v1/setup", perm: permManageUsers, handler: a.getSetup},
		{method: "PUT", pattern: "/api/v1/setup", perm: permManageUsers, handler: a.putSetup},

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

		// Listening rules (internal/listening): which public posts become conversations.
		{method: "GET", pattern: "/api/v1/listening/rules", perm: permManageChannels, handler: a.listListeningRules},
		{method: "POST", pattern: "/api/v1/listening/rules", perm: permManageChannels, handler: a.createListeningRule},
		{method: "GET", pattern: "/api/v1/listening/rules/{ruleID}", perm: permManageChannels, handler: a.getListeningRule},
		{method: "PUT", pattern: "/api/v1/listening/rules/{ruleID}", perm: permManageChannels, handler: a.updateListeningRule},
		{method: "DELETE", pattern: "/api/v1/listening/rules/{ruleID}", perm: permManageChannels, handler: a.deleteListeningRule},
		// Phone trunks and numbers (internal/voice/phone): admins set them up.
		{method: "GET", pattern: "/api/v1/phone/trunks", perm: permManageChannels, handler: a.listPhoneTrunks},
		{method: "POST", pattern: "/api/v1/phone/trunks", perm: permManageChannels, handler: a.createPhoneTrunk},
		{method: "GET", pattern: "/api/v1/phone/trunks/{trunkID}", perm: permManageChannels, handler: a.getPhoneTrunk},
		{method: "PUT", pattern: "/api/v1/phone/trunks/{trunkID}", perm: permManageChannels, handler: a.updatePhoneTrunk},
		{method: "DELETE", pattern: "/api/v1/phone/trunks/{trunkID}", perm: permManageChannels, handler: a.deletePhoneTrunk},

		// Context connectors: admins set them up (ManageChannels: a connector
		// is the tenant's line to one of its systems, set up like a channel);
		// agents read what they answer about the customer they serve.
		{method: "GET", pattern: "/api/v1/context/connectors", perm: permManageChannels, handler: a.listContextConnectors},
		{method: "POST", pattern: "/api/v1/context/connectors", perm: permManageChannels, handler: a.createContextConnector},
		{method: "GET", pattern: "/api/v1/context/connectors/{connectorID}", perm: permManageChannels, handler: a.getContextConnector},
		{method: "PATCH", pattern: "/api/v1/context/connectors/{connectorID}", perm: permManageChannels, handler: a.updateContextConnector},
		{method: "DELETE", pattern: "/api/v1/context/connectors/{connectorID}", perm: permManageChannels, handler: a.deleteContextConnector},
		{method: "POST", pattern: "/api/v1/context/connectors/{connectorID}/test", perm: permManageChannels, handler: a.testContextConnector},
		{method: "GET", pattern: "/api/v1/context/connectors/{connectorID}/stats", perm: permManageChannels, handler: a.contextConnectorStats},
		{method: "GET", pattern: "/api/v1/personas/{personaID}/context", perm: permConverse, handler: a.personaContext},
		{method: "GET", pattern: "/api/v1/conversations/{conversationID}/context", perm: permConverse, rooms: true, handler: a.conversationContext},
		{method: "POST", pattern: "/api/v1/conversations/{conversationID}/context/feedback", perm: permConverse, handler: a.conversationContextFeedback},
		{method: "GET", pattern: "/api/v1/context/model", perm: permSupervise, handler: a.contextModel},
		{method: "POST", pattern: "/api/v1/context/model/reset", perm: permSupervise, handler: a.resetContextModel},

		{method: "POST", pattern: "/api/v1/realtime/token", perm: permSelf, handler: a.realtimeToken},
		{method: "GET", pattern: "/api/v1/realtime/cursor", perm: permSelf, handler: a.realtimeCursor},
		{method: "GET", pattern: "/api/v1/realtime", public: true, ownAuth: true, handler: a.realtimeConnect},

		{method: "GET", pattern: "/api/v1/conversations", perm: permRead, handler: a.listConversations},
		{method: "GET", pattern: "/api/v1/inbox/counts", perm: permRead, handler: a.inboxCounts},
		{method: "GET", pattern: "/api/v1/conversations/{conversationID}", perm: permRead, rooms: true, handler: a.getConversation},
		{method: "PATCH", pattern: "/api/v1/conversations/{conversationID}", perm: permConverse, handler: a.updateConversation},
		// Satisfaction surveys and the waiting customer's place (issue 16).
		{method: "GET", pattern: "/api/v1/conversations/{conversationID}/csat", perm: permRead, handler: a.getConversationCSAT},
		{method: "GET", pattern: "/api/v1/conversations/{conversationID}/wait", perm: permRead, handler: a.getConversationWait},
		{method: "GET", pattern: "/api/v1/csat/settings", perm: permManageNotify, handler: a.getCSATSettings},
		{method: "PUT", pattern: "/api/v1/csat/settings", perm: permManageNotify, handler: a.putCSATSettings},
		{method: "GET", pattern: "/api/v1/conversations/{conversationID}/messages", perm: permRead, rooms: true, handler: a.listMessages},
		{method: "POST", pattern: "/api/v1/conversations/{conversationID}/messages", perm: permConverse, handler: a.replyToConversation},
		{method: "POST", pattern: "/api/v1/conversations/{conversationID}/notes", perm: permConverse, handler: a.addNote},
		{method: "POST", pattern: "/api/v1/conversations/{conversationID}/typing", perm: permConverse, handler: a.setTyping},
		{method: "POST", pattern: "/api/v1/conversations/{conversationID}/transfer", perm: permConverse, handler: a.transferConversation},
		{method: "POST", pattern: "/api/v1/conversations/{conversationID}/join", perm: permSupervise, handler: a.joinConversation},
		{method: "POST", pattern: "/api/v1/conversations/{conversationID}/read", perm: permConverse, handler: a.markRead},
		{method: "GET", pattern: "/api/v1/conversations/{conversationID}/knowledge", perm: permConverse, rooms: true, handler: a.conversationKnowledge},
		{method: "POST", pattern: "/api/v1/conversations/{conversationID}/knowledge/searches", perm: permConverse, handler: a.searchConversationKnowledge},
		{method: "POST", pattern: "/api/v1/conversations/{conversationID}/knowledge/links", perm: permConverse, handler: a.linkConversationArticle},
		{method: "DELETE", pattern: "/api/v1/conversations/{conversationID}/knowledge/links/{articleID}", perm: permConverse, handler: a.unlinkConversationArticle},
		{method: "POST", pattern: "/api/v1/conversations/{conversationID}/knowledge/dismissals", perm: permConverse, handler: a.dismissConversationArticle},
		{method: "PUT", pattern: "/api/v1/conversations/{conversationID}/knowledge/outcome", perm: permConverse, handler: a.putConversationOutcome},
		{method: "GET", pattern: "/api/v1/conversations/{conversationID}/knowledge/draft", perm: permConverse, handler: a.conversationDraft},
		{method: "POST", pattern: "/api/v1/knowledge/imports/cases", perm: permConverse, handler: a.importCases},

		// Swarming: rooms on a conversation; a room is seen by its members
		// only. Agents open rooms; experts (Swarm without Converse) take part.
		{method: "POST", pattern: "/api/v1/conversations/{conversationID}/swarm", perm: permConverse, handler: a.openSwarmRoom},
		{method: "GET", pattern: "/api/v1/swarm/rooms", perm: permSwarm, handler: a.listMySwarmRooms},
		{method: "GET", pattern: "/api/v1/swarm/rooms/{roomID}", perm: permSwarm, handler: a.getSwarmRoom},
		{method: "GET", pattern: "/api/v1/swarm/rooms/{roomID}/experts", perm: permSwarm, handler: a.swarmExperts},
		{method: "POST", pattern: "/api/v1/swarm/rooms/{roomID}/invitations", perm: permSwarm, handler: a.inviteToSwarmRoom},
		{method: "POST", pattern: "/api/v1/swarm/rooms/{roomID}/join", perm: permSwarm, handler: a.joinSwarmRoom},
		{method: "POST", pattern: "/api/v1/swarm/rooms/{roomID}/messages", perm: permSwarm, handler: a.sayInSwarmRoom},
		{method: "POST", pattern: "/api/v1/swarm/rooms/{roomID}/close", perm: permSwarm, handler: a.closeSwarmRoom},
		{method: "GET", pattern: "/api/v1/users/{userID}/contributions", perm: permRead, handler: a.userContributions},
		{method: "POST", pattern: "/api/v1/swarm/rooms/{roomID}/files", perm: permSwarm, handler: a.uploadSwarmFile},
		{method: "GET", pattern: "/api/v1/swarm/rooms/{roomID}/files/{fileID}", perm: permSwarm, handler: a.getSwarmFile},
		{method: "GET", pattern: "/api/v1/users/{userID}/expertise", perm: permRead, handler: a.userExpertise},
		{method: "GET", pattern: "/api/v1/swarm/work", perm: permSupervise, handler: a.swarmWork},

		// The knowledge community (opt-in): membership, shares, the catalogue, adoptions.
		{method: "GET", pattern: "/api/v1/community", perm: permRead, handler: a.getCommunity},
		{method: "PUT", pattern: "/api/v1/community", perm: permManageWorkspace, handler: a.joinCommunity},
		{method: "DELETE", pattern: "/api/v1/community", perm: permManageWorkspace, handler: a.leaveCommunity},
		{method: "GET", pattern: "/api/v1/community/shared", perm: permRead, handler: a.listCommunityShares},
		{method: "GET", pattern: "/api/v1/community/shared/{articleID}", perm: permRead, handler: a.getCommunityShare},
		{method: "PUT", pattern: "/api/v1/community/shared/{articleID}", perm: permPublishKnowledge, handler: a.shareArticle},
		{method: "DELETE", pattern: "/api/v1/community/shared/{articleID}", perm: permPublishKnowledge, handler: a.unshareArticle},
		{method: "GET", pattern: "/api/v1/community/adoptions", perm: permRead, handler: a.listCommunityAdoptions},
		{method: "GET", pattern: "/api/v1/community/practices", perm: permRead, community: true, handler: a.communityCatalog},
		{method: "GET", pattern: "/api/v1/community/practices/{practiceID}", perm: permRead, community: true, handler: a.getCommunityPractice},
		{method: "POST", pattern: "/api/v1/community/practices/{practiceID}/adopt", perm: permConverse, community: true, handler: a.adoptCommunityPractice},
		{method: "GET", pattern: "/api/v1/canned-responses", perm: permConverse, handler: a.listCannedResponses},
		{method: "POST", pattern: "/api/v1/canned-responses", perm: permConverse, handler: a.createCannedResponse},
		{method: "GET", pattern: "/api/v1/canned-responses/{cannedID}", perm: permConverse, handler: a.getCannedResponse},
		{method: "PUT", pattern: "/api/v1/canned-responses/{cannedID}", perm: permConverse, handler: a.replaceCannedResponse},
		{method: "DELETE", pattern: "/api/v1/canned-responses/{cannedID}", perm: permConverse, handler: a.deleteCannedResponse},
		{method: "POST", pattern: "/api/v1/conversations/{conversationID}/canned-responses/{cannedID}/render", perm: permConverse, handler: a.renderCannedResponse},
		{method: "POST", pattern: "/api/v1/conversations/{conversationID}/preview", perm: permConverse, handler: a.previewText},
		{method: "GET", pattern: "/api/v1/variables", perm: permConverse, handler: a.listVariables},
		{method: "GET", pattern: "/api/v1/macros", perm: permConverse, handler: a.listMacros},
		{method: "POST", pattern: "/api/v1/macros", perm: permConverse, handler: a.createMacro},
		{method: "GET", pattern: "/api/v1/macros/{macroID}", perm: permConverse, handler: a.getMacro},
		{method: "PUT", pattern: "/api/v1/macros/{macroID}", perm: permConverse, handler: a.replaceMacro},
		{method: "DELETE", pattern: "/api/v1/macros/{macroID}", perm: permConverse, handler: a.deleteMacro},
		{method: "POST", pattern: "/api/v1/conversations/{conversationID}/macros/{macroID}/run", perm: permConverse, handler: a.runMacro},
		{method: "GET", pattern: "/api/v1/channels", perm: permRead, handler: a.listChannels},
		{method: "GET", pattern: "/api/v1/channel-accounts", perm: permManageChannels, handler: a.listChannelAccounts},
		{method: "POST", pattern: "/api/v1/channel-accounts", perm: permManageChannels, handler: a.createChannelAccount},
		{method: "DELETE", pattern: "/api/v1/channel-accounts/{channelAccountID}", perm: permManageChannels, handler: a.deleteChannelAccount},
		{method: "PATCH", pattern: "/api/v1/channel-accounts/{channelAccountID}", perm: permManageChannels, handler: a.updateChannelAccount},
		{method: "GET", pattern: "/api/v1/channels/health", perm: permRead, handler: a.listChannelHealth},
		// WhatsApp templates: agents read them to send one, admins keep them.
		{method: "GET", pattern: "/api/v1/whatsapp/templates", perm: permConverse, handler: a.listWhatsAppTemplates},
		{method: "POST", pattern: "/api/v1/whatsapp/templates", perm: permManageChannels, handler: a.createWhatsAppTemplate},
		{method: "GET", pattern: "/api/v1/whatsapp/templates/{templateID}", perm: permConverse, handler: a.getWhatsAppTemplate},
		{method: "PUT", pattern: "/api/v1/whatsapp/templates/{templateID}", perm: permManageChannels, handler: a.replaceWhatsAppTemplate},
		{method: "DELETE", pattern: "/api/v1/whatsapp/templates/{templateID}", perm: permManageChannels, handler: a.deleteWhatsAppTemplate},
		{method: "POST", pattern: "/api/v1/messages/{messageID}/retry", perm: permConverse, handler: a.retryMessage},
		{method: "POST", pattern: "/api/v1/channels/api/messages", perm: permConverse, handler: a.postAPIMessage},
		{method: "POST", pattern: "/api/v1/channels/api/receipts", perm: permConverse, handler: a.postAPIReceipt},
		{method: "POST", pattern: uploadPath, perm: permConverse, handler: a.uploadAttachment},
		{method: "GET", pattern: "/api/v1/attachments/{attachmentID}", perm: permRead, rooms: true, handler: a.getAttachment},
		{method: "GET", pattern: "/api/v1/messages/{messageID}/original", perm: permRead, rooms: true, handler: a.getMessageOriginal},

		{method: "GET", pattern: "/api/v1/personas", perm: permRead, handler: a.listPersonas},
		{method: "GET", pattern: "/api/v1/personas/{personaID}", perm: permRead, rooms: true, handler: a.getPersona},
		{method: "PATCH", pattern: "/api/v1/personas/{personaID}", perm: permConverse, handler: a.updatePersona},
		{method: "POST", pattern: "/api/v1/personas/{personaID}/identifiers", perm: permConverse, handler: a.addIdentifier},
		{method: "POST", pattern: "/api/v1/personas/{personaID}/merge", perm: permConverse, handler: a.mergePersona},
		{method: "POST", pattern: "/api/v1/persona-merges/{mergeID}/undo", perm: permConverse, handler: a.undoMerge},

		{method: "GET", pattern: "/api/v1/queues", perm: permRead, handler: a.listQueues},
		{method: "POST", pattern: "/api/v1/queues", perm: permManageRouting, handler: a.createQueue},
		{method: "GET", pattern: "/api/v1/queues/stats", perm: permRead, handler: a.queueStats},
		{method: "GET", pattern: "/api/v1/queues/{queueID}", perm: permRead, handler: a.getQueue},
		{method: "PUT", pattern: "/api/v1/queues/{queueID}", perm: permManageRouting, handler: a.replaceQueue},
		{method: "DELETE", pattern: "/api/v1/queues/{queueID}", perm: permManageRouting, handler: a.deleteQueue},
		{method: "GET", pattern: "/api/v1/routing-rules", perm: permRead, handler: a.listRoutingRules},
		{method: "POST", pattern: "/api/v1/routing-rules", perm: permManageRouting, handler: a.createRoutingRule},
		{method: "GET", pattern: "/api/v1/routing-rules/{routingRuleID}", perm: permRead, handler: a.getRoutingRule},
		{method: "PUT", pattern: "/api/v1/routing-rules/{routingRuleID}", perm: permManageRouting, handler: a.replaceRoutingRule},
		{method: "DELETE", pattern: "/api/v1/routing-rules/{routingRuleID}", perm: permManageRouting, handler: a.deleteRoutingRule},
		{method: "GET", pattern: "/api/v1/calendars", perm: permRead, handler: a.listCalendars},
		{method: "POST", pattern: "/api/v1/calendars", perm: permManageRouting, handler: a.createCalendar},
		{method: "GET", pattern: "/api/v1/calendars/{calendarID}", perm: permRead, handler: a.getCalendar},
		{method: "PUT", pattern: "/api/v1/calendars/{calendarID}", perm: permManageRouting, handler: a.replaceCalendar},
		{method: "DELETE", pattern: "/api/v1/calendars/{calendarID}", perm: permManageRouting, handler: a.deleteCalendar},
		{method: "GET", pattern: "/api/v1/sla-policies", perm: permRead, handler: a.listSLAPolicies},
		{method: "POST", pattern: "/api/v1/sla-policies", perm: permManageRouting, handler: a.createSLAPolicy},
		{method: "GET", pattern: "/api/v1/sla-policies/{policyID}", perm: permRead, handler: a.getSLAPolicy},
		{method: "PUT", pattern: "/api/v1/sla-policies/{policyID}", perm: permManageRouting, handler: a.replaceSLAPolicy},
		{method: "DELETE", pattern: "/api/v1/sla-policies/{policyID}", perm: permManageRouting, handler: a.deleteSLAPolicy},
		{method: "GET", pattern: "/api/v1/users/{userID}/routing", perm: permRead, handler: a.getRoutingProfile},
		{method: "PUT", pattern: "/api/v1/users/{userID}/routing", perm: permManageRouting, handler: a.setRoutingProfile},
		{method: "GET", pattern: "/api/v1/me/routing", perm: permSelf, handler: a.getMyRoutingProfile},
		{method: "GET", pattern: "/api/v1/presence-states", perm: permReadStaff, handler: a.listPresenceStates},
		{method: "POST", pattern: "/api/v1/presence-states", perm: permManageRouting, handler: a.createPresenceState},
		{method: "DELETE", pattern: "/api/v1/presence-states/{presenceState}", perm: permManageRouting, handler: a.deletePresenceState},
		{method: "GET", pattern: "/api/v1/me/offers", perm: permSelf, handler: a.listMyOffers},
		{method: "POST", pattern: "/api/v1/offers/{offerID}/accept", perm: permConverse, handler: a.acceptOffer},
		{method: "POST", pattern: "/api/v1/offers/{offerID}/decline", perm: permConverse, handler: a.declineOffer},
		{method: "POST", pattern: "/api/v1/conversations/{conversationID}/escalate", perm: permConverse, handler: a.escalateConversation},
		{method: "POST", pattern: "/api/v1/conversations/{conversationID}/calls", perm: permConverse, handler: a.startCall},
		{method: "GET", pattern: "/api/v1/conversations/{conversationID}/calls", perm: permRead, handler: a.listCalls},
		{method: "GET", pattern: "/api/v1/calls/{callID}", perm: permRead, handler: a.getCall},
		{method: "POST", pattern: "/api/v1/calls/{callID}/hold", perm: permConverse, handler: a.callAction},
		{method: "POST", pattern: "/api/v1/calls/{callID}/resume", perm: permConverse, handler: a.callAction},
		{method: "POST", pattern: "/api/v1/calls/{callID}/mute", perm: permConverse, handler: a.callAction},
		{method: "POST", pattern: "/api/v1/calls/{callID}/unmute", perm: permConverse, handler: a.callAction},
		{method: "POST", pattern: "/api/v1/calls/{callID}/hangup", perm: permConverse, handler: a.callAction},
		{method: "POST", pattern: "/api/v1/calls/{callID}/transfer", perm: permConverse, handler: a.transferCall},
		{method: "GET", pattern: "/api/v1/calls/{callID}/recording", perm: permRead, handler: a.getCallRecording},
		{method: "GET", pattern: "/api/v1/settings/recording", perm: permSupervise, handler: a.getRecordingPolicy},
		{method: "PUT", pattern: "/api/v1/settings/recording", perm: permManageNotify, handler: a.putRecordingPolicy},
		{method: "POST", pattern: "/api/v1/calls/{callID}/monitor", perm: permSupervise, handler: a.monitorCall},
		{method: "DELETE", pattern: "/api/v1/calls/{callID}/monitor", perm: permSupervise, handler: a.unmonitorCall},
		{method: "GET", pattern: "/api/v1/calls", perm: permSupervise, handler: a.liveCalls},
		{method: "GET", pattern: "/api/v1/conversations/{conversationID}/routing", perm: permRead, handler: a.conversationRouting},
		{method: "GET", pattern: "/api/v1/conversations/{conversationID}/routing-criteria", perm: permRead, handler: a.conversationCriteria},
		{method: "PUT", pattern: "/api/v1/conversations/{conversationID}/routing-criteria", perm: permSupervise, handler: a.setConversationCriteria},
		{method: "GET", pattern: "/api/v1/conversations/{conversationID}/sla", perm: permRead, rooms: true, handler: a.conversationSLA},
		{method: "GET", pattern: "/api/v1/conversations/{conversationID}/trail", perm: permRead, rooms: true, handler: a.conversationTrail},
		{method: "GET", pattern: "/api/v1/callbacks", perm: permRead, handler: a.listCallbacks},
		{method: "POST", pattern: "/api/v1/callbacks", perm: permConverse, handler: a.requestCallback},
		{method: "GET", pattern: "/api/v1/callbacks/{callbackID}", perm: permRead, handler: a.getCallback},
		{method: "POST", pattern: "/api/v1/callbacks/{callbackID}/attempts", perm: permConverse, handler: a.recordCallbackAttempt},
		{method: "POST", pattern: "/api/v1/callbacks/{callbackID}/call", perm: permConverse, handler: a.dialCallback},
		{method: "POST", pattern: "/api/v1/callbacks/{callbackID}/call/hangup", perm: permConverse, handler: a.hangupCallback},

		{method: "GET", pattern: "/api/v1/agents/live", perm: permSupervise, handler: a.liveAgents},
		{method: "GET", pattern: "/api/v1/agents/availability", perm: permConverse, handler: a.agentAvailability},
		{method: "GET", pattern: "/api/v1/reports/today", perm: permSupervise, handler: a.reportToday},
		{method: "GET", pattern: "/api/v1/reports", perm: permSupervise, handler: a.report},
		{method: "GET", pattern: "/api/v1/reports/csv", perm: permSupervise, handler: a.reportCSV},
		{method: "GET", pattern: "/api/v1/reports/drilldown", perm: permSupervise, handler: a.reportDrill},

		{method: "GET", pattern: "/api/v1/notifications/types", perm: permRead, handler: a.listNotificationTypes},
		{method: "POST", pattern: "/api/v1/notifications/types", perm: permManageNotify, handler: a.createNotificationType},
		{method: "GET", pattern: "/api/v1/notifications/types/{typeKey}", perm: permRead, handler: a.getNotificationType},
		{method: "PUT", pattern: "/api/v1/notifications/types/{typeKey}", perm: permManageNotify, handler: a.replaceNotificationType},
		{method: "DELETE", pattern: "/api/v1/notifications/types/{typeKey}", perm: permManageNotify, handler: a.deleteNotificationType},
		{method: "GET", pattern: "/api/v1/notifications/settings", perm: permRead, handler: a.getNotifySettings},
		{method: "PUT", pattern: "/api/v1/notifications/settings", perm: permManageNotify, handler: a.putNotifySettings},
		{method: "POST", pattern: "/api/v1/notifications/events", perm: permRaiseEvents, handler: a.raiseEvent},
		{method: "GET", pattern: "/api/v1/notifications/events/{eventID}", perm: permRead, handler: a.getEvent},
		{method: "GET", pattern: "/api/v1/notifications/deliveries", perm: permRead, handler: a.listNotifyDeliveries},
		{method: "GET", pattern: "/api/v1/notifications/deliveries/{noticeID}", perm: permRead, handler: a.getNotifyDelivery},
		{method: "GET", pattern: "/api/v1/notifications/vapid-key", perm: permRead, handler: a.vapidKey},
		{method: "GET", pattern: "/api/v1/personas/{personaID}/preferences", perm: permRead, handler: a.getPreferences},
		{method: "PUT", pattern: "/api/v1/personas/{personaID}/preferences", perm: permConverse, handler: a.putPreferences},
		{method: "PUT", pattern: "/api/v1/personas/{personaID}/momentary", perm: permConverse, handler: a.putMomentary},
		{method: "GET", pattern: "/api/v1/personas/{personaID}/consent", perm: permRead, handler: a.listConsent},
		{method: "POST", pattern: "/api/v1/personas/{personaID}/consent", perm: permConverse, handler: a.recordConsent},
		{method: "GET", pattern: "/api/v1/personas/{personaID}/consent/export", perm: permRead, handler: a.exportConsent},
		{method: "DELETE", pattern: "/api/v1/personas/{personaID}", perm: permManageNotify, handler: a.erasePersona},

		{method: "GET", pattern: "/u/{token}", public: true, signed: true, handler: a.unsubscribePage},
		{method: "POST", pattern: "/u/{token}", public: true, signed: true, handler: a.unsubscribe},
		{method: "GET", pattern: "/n/{token}", public: true, signed: true, handler: a.openNotice},
		// The survey page of a mailed link: the token is the credential.
		{method: "GET", pattern: "/csat/{token}", public: true, signed: true, handler: a.surveyPage},
		{method: "POST", pattern: "/csat/{token}", public: true, signed: true, handler: a.surveyAnswer},

		{method: "POST", pattern: "/portal/api/sign-in", public: true, portal: true, handler: a.portalSignIn},
		{method: "POST", pattern: "/portal/api/verify", public: true, portal: true, handler: a.portalVerify},
		{method: "POST", pattern: "/portal/api/link", public: true, portal: true, handler: a.portalLink},
		{method: "POST", pattern: "/portal/api/sign-out", public: true, portal: true, handler: a.portalSignOut},
		{method: "GET", pattern: "/portal/api/vapid-key", public: true, portal: true, handler: a.portalVAPIDKey},
		{method: "GET", pattern: "/portal/api/me", public: true, ownAuth: true, portal: true, handler: a.portalMe},
		{method: "GET", pattern: "/portal/api/businesses", public: true, ownAuth: true, portal: true, handler: a.portalBusinesses},
		{method: "GET", pattern: "/portal/api/businesses/{tenantID}/preferences", public: true, ownAuth: true, portal: true, handler: a.portalPreferences},
		{method: "PUT", pattern: "/portal/api/businesses/{tenantID}/preferences", public: true, ownAuth: true, portal: true, handler: a.portalSetPreferences},
		{method: "PUT", pattern: "/portal/api/businesses/{tenantID}/momentary", public: true, ownAuth: true, portal: true, handler: a.portalSetMomentary},
		{method: "GET", pattern: "/portal/api/businesses/{tenantID}/notices", public: true, ownAuth: true, portal: true, handler: a.portalNotices},
		{method: "GET", pattern: "/portal/api/businesses/{tenantID}/notices/{noticeID}", public: true, ownAuth: true, portal: true, handler: a.portalNotice},
		{method: "POST", pattern: "/portal/api/businesses/{tenantID}/contact", public: true, ownAuth: true, portal: true, handler: a.portalContact},
		{method: "GET", pattern: "/portal/api/businesses/{tenantID}/conversations", public: true, ownAuth: true, portal: true, handler: a.portalConversations},
		{method: "GET", pattern: "/portal/api/businesses/{tenantID}/conversations/{conversationID}/messages", public: true, ownAuth: true, portal: true, handler: a.portalMessages},
		{method: "POST", pattern: "/portal/api/businesses/{tenantID}/push-subscriptions", public: true, ownAuth: true, portal: true, handler: a.portalSubscribePush},

		{method: "GET", pattern: "/api/v1/outbox/mails", perm: permManageChannels, handler: a.listCaughtMail},
		{method: "GET", pattern: "/api/v1/outbox/mails/{mailID}", perm: permManageChannels, handler: a.getCaughtMail},
		{method: "GET", pattern: "/api/v1/outbox/mails/{mailID}/html", perm: permManageChannels, handler: a.getCaughtMailHTML},

		{method: "GET", pattern: "/api/v1/sandbox", perm: permRead, handler: a.getSandbox},
		{method: "GET", pattern: "/api/v1/sandbox/outbox", perm: permManageChannels, handler: a.listSandboxOutbox},
		{method: "GET", pattern: "/api/v1/sandbox/outbox/{sandboxMessageID}", perm: permManageChannels, handler: a.getSandboxMessage},
		{method: "GET", pattern: "/api/v1/sandbox/outbox/{sandboxMessageID}/html", perm: permManageChannels, handler: a.getSandboxMessageHTML},
		{method: "POST", pattern: "/api/v1/sandbox/simulate", perm: permManageChannels, handler: a.simulateInbound},
		{method: "GET", pattern: "/api/v1/sandbox/checklist", perm: permManageChannels, handler: a.getChecklist},
		{method: "POST", pattern: "/api/v1/sandbox/go-live", perm: permManageChannels, handler: a.goLive},
		{method: "POST", pattern: "/api/v1/sandbox/copies", perm: permManageChannels, handler: a.openSandboxCopy},

		{method: "GET", pattern: "/api/v1/audit-log", perm: permReadAudit, handler: a.listAudit},
		{method: "GET", pattern: "/api/v1/plan", perm: permManageUsers, handler: a.plan},
		{method: "GET", pattern: "/api/v1/event-types", perm: permRead, handler: a.eventTypes},

		{method: "GET", pattern: "/api/v1/workspace/exports", perm: permManageWorkspace, handler: a.listExports},
		{method: "POST", pattern: "/api/v1/workspace/exports", perm: permManageWorkspace, handler: a.createExport},
		{method: "GET", pattern: "/api/v1/workspace/exports/{exportID}", perm: permManageWorkspace, handler: a.getExport},
		{method: "POST", pattern: "/api/v1/workspace/exports/{exportID}/download", perm: permManageWorkspace, streams: true, handler: a.downloadExport},
		{method: "GET", pattern: "/api/v1/workspace/deletion", handler: a.getDeletion},
		{method: "POST", pattern: "/api/v1/workspace/deletion", perm: permManageWorkspace, handler: a.requestDeletion},
		{method: "DELETE", pattern: "/api/v1/workspace/deletion", perm: permManageWorkspace, handler: a.cancelDeletion},

		{method: "GET", pattern: "/api/v1/knowledge/articles", perm: permRead, handler: a.listArticles},
		{method: "POST", pattern: "/api/v1/knowledge/articles", perm: permConverse, handler: a.createArticle},
		{method: "GET", pattern: "/api/v1/knowledge/articles/{articleID}", perm: permRead, handler: a.getArticle},
		{method: "PUT", pattern: "/api/v1/knowledge/articles/{articleID}", perm: permConverse, handler: a.updateArticle},
		{method: "POST", pattern: "/api/v1/knowledge/articles/{articleID}/state", perm: permConverse, handler: a.moveArticle},
		{method: "GET", pattern: "/api/v1/knowledge/articles/{articleID}/history", perm: permRead, handler: a.articleHistory},
		{method: "GET", pattern: "/api/v1/knowledge/articles/{articleID}/versions", perm: permRead, handler: a.listArticleVersions},
		{method: "GET", pattern: "/api/v1/knowledge/articles/{articleID}/versions/{version}", perm: permRead, handler: a.getArticleVersion},
		{method: "POST", pattern: "/api/v1/knowledge/articles/{articleID}/versions/{version}/restore", perm: permConverse, handler: a.restoreArticleVersion},
		{method: "GET", pattern: "/api/v1/knowledge/articles/{articleID}/diff", perm: permRead, handler: a.diffArticle},
		{method: "GET", pattern: "/api/v1/knowledge/articles/{articleID}/flags", perm: permRead, handler: a.listArticleFlags},
		{method: "POST", pattern: "/api/v1/knowledge/articles/{articleID}/flags", perm: permConverse, handler: a.flagArticle},
		{method: "GET", pattern: "/api/v1/knowledge/flags", perm: permRead, handler: a.listFlags},
		{method: "POST", pattern: "/api/v1/knowledge/flags/{flagID}/resolve", perm: permConverse, handler: a.resolveFlag},
		{method: "POST", pattern: articleImportPath, perm: permPublishKnowledge, handler: a.importArticles},
		{method: "GET", pattern: "/api/v1/knowledge/search", perm: permRead, handler: a.searchKnowledge},
		// Knowledge measures (KCS Evolve loop), per period, JSON or CSV.
		{method: "GET", pattern: "/api/v1/knowledge/measures", perm: permSupervise, handler: a.knowledgeMeasures},
	}
}
