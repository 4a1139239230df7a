# Texte der botwerk-Fassade, Deutsch.
botwerk-help-title = Das kann ich:
botwerk-cmd-help = Diese Liste zeigen
botwerk-purpose-conversation = Sich merken, wo du in einem Gespräch mit dem Bot stehst, damit er es fortsetzen kann
botwerk-category-dialog-state = Der Stand eines nicht abgeschlossenen Gesprächs, mit dem, was du bisher eingegeben hast
