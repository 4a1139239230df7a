# Die Texte des Newsletter-Bots, Deutsch.
bot-title = Botwerk-Newsletter
newsletter-purpose = Dir unseren Newsletter über Botwerk-Versionen, Veranstaltungen und Tipps schicken, höchstens eine Nachricht pro Woche
newsletter-category-topics = Die Themen, die du gewählt hast
newsletter-cmd-topics = Deine Themen wählen
newsletter-cmd-latest = Die neueste Ausgabe lesen
newsletter-topic-releases = Versionen
newsletter-topic-events = Veranstaltungen
newsletter-topic-tips = Tipps
newsletter-topics-title = Deine Themen (tippen zum Ändern):
newsletter-topics-all = Keines gewählt: Du bekommst alle Themen.
newsletter-latest = Die neueste Ausgabe: Botwerk spricht jetzt Telegram und Discord. Mit /subscribe bekommst du die nächste.
newsletter-unexpected = Ich verschicke den Botwerk-Newsletter. /subscribe meldet dich an, /latest zeigt die neueste Ausgabe, /help alles andere.
newsletter-button-subscribe = Abonnieren
