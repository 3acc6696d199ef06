package helpcenter

import "slices"

// Languages are the help center's own words' languages; an article in
// another locale is still shown, around words in English.
var Languages = []string{"en", "de", "fr", "es"}

// DefaultLanguage is the language of a page that names none.
const DefaultLanguage = "en"

// language is lang when the help center speaks it, else the default.
func language(lang string) string {
	if slices.Contains(Languages, lang) {
		return lang
	}
	return DefaultLanguage
}

// words are the pages' words by language; every language has every key
// (TestEveryLanguageHasEveryWord).
var words = map[string]map[string]string{
	"en": {
		"unavailable": "This help center is not available.", "gone": "This help center no longer exists.",
		"help": "Help center", "search": "Search", "searchLabel": "Search the help center", "searchPlaceholder": "Describe your question",
		"results": "Results for “%s”", "noResults": "No article matches “%s”. Try other words, or ask us.", "resultCount": "%d articles found",
		"categories": "Topics", "general": "General", "noArticles": "No articles yet.",
		"issue": "The problem", "environment": "Applies to", "cause": "Why it happens", "resolution": "What to do",
		"helped": "Did this help?", "yes": "Yes", "no": "No", "why": "What was missing?", "send": "Send",
		"thanksYes": "Thank you — glad it helped.", "thanksNo": "Thank you for telling us. Ask us directly and we will help.",
		"chat": "Chat with us", "email": "Email us", "contact": "Contact us", "contactIntro": "We read what you searched and read here, so you do not have to explain it again.",
		"chatNeedsScript": "The chat needs JavaScript; write to us by email below.",
		"name":            "Your name", "emailAddress": "Your email", "message": "How can we help?", "sent": "Thank you. We will answer you by email.",
		"notFound": "This page does not exist", "notFoundText": "The article may have moved. Search the help center, or ask us.",
		"home": "Home", "homeDescription": "Answers from %s: search the help center or browse by topic.", "language": "Language",
		"stillNeedHelp": "Still need help?",
	},
	"de": {
		"unavailable": "Dieses Hilfe-Center ist nicht verfügbar.", "gone": "Dieses Hilfe-Center gibt es nicht mehr.",
		"help": "Hilfe-Center", "search": "Suchen", "searchLabel": "Im Hilfe-Center suchen", "searchPlaceholder": "Beschreiben Sie Ihre Frage",
		"results": "Ergebnisse für „%s“", "noResults": "Kein Artikel passt zu „%s“. Versuchen Sie andere Wörter oder fragen Sie uns.", "resultCount": "%d Artikel gefunden",
		"categories": "Themen", "general": "Allgemein", "noArticles": "Noch keine Artikel.",
		"issue": "Das Problem", "environment": "Gilt für", "cause": "Warum es passiert", "resolution": "Was zu tun ist",
		"helped": "War das hilfreich?", "yes": "Ja", "no": "Nein", "why": "Was hat gefehlt?", "send": "Senden",
		"thanksYes": "Danke — schön, dass es geholfen hat.", "thanksNo": "Danke für Ihre Rückmeldung. Fragen Sie uns direkt, wir helfen Ihnen.",
		"chat": "Mit uns chatten", "email": "E-Mail an uns", "contact": "Kontakt", "contactIntro": "Wir sehen, was Sie hier gesucht und gelesen haben — Sie müssen es nicht noch einmal erklären.",
		"chatNeedsScript": "Der Chat braucht JavaScript; schreiben Sie uns unten per E-Mail.",
		"name":            "Ihr Name", "emailAddress": "Ihre E-Mail-Adresse", "message": "Wie können wir helfen?", "sent": "Danke. Wir antworten Ihnen per E-Mail.",
		"notFound": "Diese Seite gibt es nicht", "notFoundText": "Der Artikel wurde vielleicht verschoben. Suchen Sie im Hilfe-Center oder fragen Sie uns.",
		"home": "Start", "homeDescription": "Antworten von %s: im Hilfe-Center suchen oder nach Themen stöbern.", "language": "Sprache",
		"stillNeedHelp": "Brauchen Sie noch Hilfe?",
	},
	"fr": {
		"unavailable": "Ce centre d’aide n’est pas disponible.", "gone": "Ce centre d’aide n’existe plus.",
		"help": "Centre d’aide", "search": "Rechercher", "searchLabel": "Rechercher dans le centre d’aide", "searchPlaceholder": "Décrivez votre question",
		"results": "Résultats pour « %s »", "noResults": "Aucun article ne correspond à « %s ». Essayez d’autres mots ou contactez-nous.", "resultCount": "%d articles trouvés",
		"categories": "Sujets", "general": "Général", "noArticles": "Pas encore d’articles.",
		"issue": "Le problème", "environment": "Concerne", "cause": "Pourquoi cela arrive", "resolution": "Que faire",
		"helped": "Cela vous a-t-il aidé ?", "yes": "Oui", "no": "Non", "why": "Que manquait-il ?", "send": "Envoyer",
		"thanksYes": "Merci — ravis que cela ait aidé.", "thanksNo": "Merci de nous l’avoir dit. Écrivez-nous, nous vous aiderons.",
		"chat": "Discuter avec nous", "email": "Nous écrire", "contact": "Nous contacter", "contactIntro": "Nous voyons ce que vous avez cherché et lu ici : inutile de tout réexpliquer.",
		"chatNeedsScript": "Le chat nécessite JavaScript ; écrivez-nous par e-mail ci-dessous.",
		"name":            "Votre nom", "emailAddress": "Votre e-mail", "message": "Comment pouvons-nous aider ?", "sent": "Merci. Nous vous répondrons par e-mail.",
		"notFound": "Cette page n’existe pas", "notFoundText": "L’article a peut-être été déplacé. Cherchez dans le centre d’aide ou contactez-nous.",
		"home": "Accueil", "homeDescription": "Les réponses de %s : cherchez dans le centre d’aide ou parcourez les sujets.", "language": "Langue",
		"stillNeedHelp": "Besoin d’aide ?",
	},
	"es": {
		"unavailable": "Este centro de ayuda no está disponible.", "gone": "Este centro de ayuda ya no existe.",
		"help": "Centro de ayuda", "search": "Buscar", "searchLabel": "Buscar en el centro de ayuda", "searchPlaceholder": "Describa su pregunta",
		"results": "Resultados para «%s»", "noResults": "Ningún artículo coincide con «%s». Pruebe otras palabras o pregúntenos.", "resultCount": "%d artículos encontrados",
		"categories": "Temas", "general": "General", "noArticles": "Todavía no hay artículos.",
		"issue": "El problema", "environment": "Se aplica a", "cause": "Por qué ocurre", "resolution": "Qué hacer",
		"helped": "¿Le ha ayudado?", "yes": "Sí", "no": "No", "why": "¿Qué faltaba?", "send": "Enviar",
		"thanksYes": "Gracias — nos alegra que le haya ayudado.", "thanksNo": "Gracias por decírnoslo. Escríbanos y le ayudaremos.",
		"chat": "Chatear con nosotros", "email": "Escríbanos", "contact": "Contacto", "contactIntro": "Vemos lo que buscó y leyó aquí, así que no tiene que explicarlo otra vez.",
		"chatNeedsScript": "El chat necesita JavaScript; escríbanos por correo abajo.",
		"name":            "Su nombre", "emailAddress": "Su correo", "message": "¿En qué podemos ayudarle?", "sent": "Gracias. Le responderemos por correo.",
		"notFound": "Esta página no existe", "notFoundText": "Puede que el artículo se haya movido. Busque en el centro de ayuda o pregúntenos.",
		"home": "Inicio", "homeDescription": "Respuestas de %s: busque en el centro de ayuda o explore por temas.", "language": "Idioma",
		"stillNeedHelp": "¿Necesita más ayuda?",
	},
}
