# Texts of the botwerk facade, English.
botwerk-help-title = Here is what I can do:
botwerk-cmd-help = Show this list
botwerk-purpose-conversation = Remembering where you are in a conversation with the bot, so that it can continue it
botwerk-category-dialog-state = The state of an unfinished conversation, including what you entered so far
