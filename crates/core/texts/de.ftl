# Texte von botwerk-core, Deutsch.
botwerk-cancelled = Abgebrochen.
botwerk-nothing-to-cancel = Es gibt nichts abzubrechen.
botwerk-unknown-command = /{ $command } kenne ich nicht. Mit /help siehst du, was ich kann.
botwerk-not-understood = Das habe ich nicht verstanden. Mit /help siehst du, was ich kann.
botwerk-error = Entschuldigung, bei mir ist etwas schiefgegangen. Bitte versuche es gleich noch einmal.
botwerk-cmd-cancel = Abbrechen, was du gerade tust
botwerk-private-only = Das machen wir lieber privat, damit deine Angaben nicht in der Gruppe stehen. Bitte schick mir /{ $command } in einem privaten Chat.
