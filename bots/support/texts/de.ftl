# Die Texte des Support-Bots, Deutsch.
bot-title = Botwerk-Support
support-purpose = Deine Support-Anfragen zu Bestellungen und Zahlungen beantworten
support-category-tickets = Deine Support-Tickets: Thema, deine Beschreibung und wann du sie eröffnet hast
support-cmd-ticket = Ein Support-Ticket eröffnen
support-cmd-tickets = Deine Tickets anzeigen
support-topic-order = Eine Bestellung
support-topic-payment = Eine Zahlung
support-topic-other = Etwas anderes
support-ask-topic = Worum geht es bei deiner Anfrage?
support-pick-topic = Bitte wähle ein Thema mit den Knöpfen oder schreibe /cancel.
support-ask-description = Bitte beschreibe dein Anliegen in einer Nachricht (10 bis 2000 Zeichen). Lass alles weg, was wir nicht brauchen, etwa Kartennummern.
support-bad-description = Bitte beschreibe dein Anliegen in 10 bis 2000 Zeichen oder schreibe /cancel.
support-confirm = Thema: { $topic }
    { $description }
    Soll ich das Ticket eröffnen? Wir antworten innerhalb eines Werktags. Tickets werden nach 30 Tagen gelöscht.
support-button-send = Ticket eröffnen
support-button-cancel = Abbrechen
support-use-buttons = Bitte eröffne das Ticket oder brich mit den Knöpfen ab.
support-opened = Ticket Nr. { $number } ist eröffnet. Wir antworten dir hier.
support-cancelled = Es wurde kein Ticket eröffnet.
support-no-tickets = Du hast keine offenen Tickets. /ticket eröffnet eines.
support-tickets-title = Deine Tickets:
support-ticket-line = Nr. { $number }, eröffnet am { $date }
support-unexpected = Ich bin der Support-Bot: /ticket eröffnet eine Anfrage, /tickets zeigt deine, /help zeigt alles.
support-button-new = Neues Ticket
