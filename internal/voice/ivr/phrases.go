package ivr

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

// phrases are the sentences the machines say on their own, in every
// supported language (speech.Languages). A tenant's menu overrides the
// menu's; the rest are fixed.
type phrases struct {
	invalid, noInput, goodbye, thanks, connecting string
	vmGreeting, vmThanks, vmNothing               string
	press                                         string // "Press %s %s." — key, then the choice's label
	keys                                          map[rune]string
	// Queue announcements.
	next, position, positionN string // "You are next in line.", "You are %s in line.", "You are number %d in line."
	ordinals                  []string
	waitUnder, waitMinute     string
	waitMinutes, waitLong     string
}

var phrasebook = map[string]phrases{
	"en": {
		invalid: "Sorry, that is not one of the choices.", noInput: "Sorry, I did not hear a choice.",
		goodbye: "Goodbye.", thanks: "Thank you. Goodbye.", connecting: "Please hold while we connect you.",
		vmGreeting: "Please leave a message after the tone. Press the pound key when you are done.",
		vmThanks:   "Thank you, we have your message. Goodbye.", vmNothing: "We did not hear a message. Goodbye.",
		press: "Press %s %s.",
		keys:  map[rune]string{'*': "star", '#': "pound"},
		next:  "You are next in line.", position: "You are %s in line.", positionN: "You are number %d in line.",
		ordinals:  []string{"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"},
		waitUnder: "The expected wait is less than a minute.", waitMinute: "The expected wait is about one minute.",
		waitMinutes: "The expected wait is about %d minutes.", waitLong: "The expected wait is more than an hour.",
	},
	"de": {
		invalid: "Das ist leider keine der Möglichkeiten.", noInput: "Ich habe leider keine Auswahl gehört.",
		goodbye: "Auf Wiederhören.", thanks: "Vielen Dank. Auf Wiederhören.", connecting: "Bitte bleiben Sie dran, wir verbinden Sie.",
		vmGreeting: "Bitte hinterlassen Sie nach dem Signalton eine Nachricht. Drücken Sie die Rautetaste, wenn Sie fertig sind.",
		vmThanks:   "Vielen Dank, wir haben Ihre Nachricht. Auf Wiederhören.", vmNothing: "Wir haben keine Nachricht gehört. Auf Wiederhören.",
		press: "Drücken Sie %s, %s.",
		keys:  map[rune]string{'*': "Stern", '#': "Raute"},
		next:  "Sie sind als Nächstes an der Reihe.", position: "Sie sind an %s Stelle.", positionN: "Sie sind an Stelle %d.",
		ordinals:  []string{"erster", "zweiter", "dritter", "vierter", "fünfter", "sechster", "siebter", "achter", "neunter", "zehnter"},
		waitUnder: "Die Wartezeit beträgt weniger als eine Minute.", waitMinute: "Die Wartezeit beträgt etwa eine Minute.",
		waitMinutes: "Die Wartezeit beträgt etwa %d Minuten.", waitLong: "Die Wartezeit beträgt mehr als eine Stunde.",
	},
	"fr": {
		invalid: "Désolé, ce choix n'existe pas.", noInput: "Désolé, je n'ai pas entendu de choix.",
		goodbye: "Au revoir.", thanks: "Merci. Au revoir.", connecting: "Veuillez patienter, nous vous mettons en relation.",
		vmGreeting: "Veuillez laisser un message après le bip. Appuyez sur dièse quand vous avez terminé.",
		vmThanks:   "Merci, nous avons bien reçu votre message. Au revoir.", vmNothing: "Nous n'avons pas entendu de message. Au revoir.",
		press: "Appuyez sur %s %s.",
		keys:  map[rune]string{'*': "étoile", '#': "dièse"},
		next:  "Vous êtes le prochain.", position: "Vous êtes en %s position.", positionN: "Vous êtes en position %d.",
		ordinals:  []string{"première", "deuxième", "troisième", "quatrième", "cinquième", "sixième", "septième", "huitième", "neuvième", "dixième"},
		waitUnder: "L'attente est de moins d'une minute.", waitMinute: "L'attente est d'environ une minute.",
		waitMinutes: "L'attente est d'environ %d minutes.", waitLong: "L'attente est de plus d'une heure.",
	},
	"es": {
		invalid: "Lo sentimos, esa no es una de las opciones.", noInput: "Lo sentimos, no hemos recibido ninguna opción.",
		goodbye: "Adiós.", thanks: "Gracias. Adiós.", connecting: "Por favor, espere mientras le conectamos.",
		vmGreeting: "Por favor, deje un mensaje después del tono. Pulse la tecla almohadilla cuando termine.",
		vmThanks:   "Gracias, hemos recibido su mensaje. Adiós.", vmNothing: "No hemos oído ningún mensaje. Adiós.",
		press: "Pulse %s %s.",
		keys:  map[rune]string{'*': "asterisco", '#': "almohadilla"},
		next:  "Usted es el siguiente.", position: "Está usted en la %s posición.", positionN: "Está usted en la posición %d.",
		ordinals:  []string{"primera", "segunda", "tercera", "cuarta", "quinta", "sexta", "séptima", "octava", "novena", "décima"},
		waitUnder: "El tiempo de espera es de menos de un minuto.", waitMinute: "El tiempo de espera es de aproximadamente un minuto.",
		waitMinutes: "El tiempo de espera es de aproximadamente %d minutos.", waitLong: "El tiempo de espera es de más de una hora.",
	},
}

// book returns the phrases of lang (reduced to its language), or an error
// listing the languages there are.
func book(lang string) (phrases, string, error) {
	l := speech.BaseLanguage(lang)
	p, ok := phrasebook[l]
	if !ok {
		known := slices.Sorted(maps.Keys(phrasebook))
		return phrases{}, "", fmt.Errorf("%w %q: use one of %s", speech.ErrLanguage, lang, strings.Join(known, ", "))
	}
	return p, l, nil
}

// keyName is how a key is said: digits as themselves, * and # by name.
func (p phrases) keyName(d rune) string {
	if n, ok := p.keys[d]; ok {
		return n
	}
	return string(d)
}
