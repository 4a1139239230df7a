# Texts of botwerk-core, English (the fallback language).
botwerk-cancelled = Cancelled.
botwerk-nothing-to-cancel = There is nothing to cancel.
botwerk-unknown-command = I don't know /{ $command }. Type /help to see what I can do.
botwerk-not-understood = I did not understand that. Type /help to see what I can do.
botwerk-error = Sorry, something went wrong on my side. Please try again in a moment.
botwerk-cmd-cancel = Cancel what you are doing
botwerk-private-only = I would rather do this in a private chat, so that your details stay out of the group. Please send /{ $command } to me privately.
