# Texts of the botwerk facade, English.
botwerk-help-title = Here is what I can do:
botwerk-cmd-help = Show this list
botwerk-purpose-conversation = Remembering where you are in a conversation with the bot, so that it can continue it
botwerk-category-dialog-state = The state of an unfinished conversation, including what you entered so far
botwerk-admin-private-only = Admin commands work in a private chat with me only.
botwerk-admin-help =
    Admin commands:
    /admin audit – check the audit log's hash chain
    /admin keys – check that every data key can be unwrapped
    /admin purge – delete what is past its retention, now
    /admin record – the record of processing activities (GDPR Art. 30) as a file
    Exports and erasures for other people are done with the botwerk command line, so that nobody's data ends up in a chat.
botwerk-admin-audit-intact = The audit log is intact: { $entries } entries checked.
botwerk-admin-audit-broken = The audit log is broken at entry { $seq }: { $problem }
botwerk-admin-purged = Purge done: { $records } expired records deleted.
botwerk-admin-keys = Key check: { $subjects } people stored, { $ok } data keys unwrap, { $bad } do not.
botwerk-admin-record = The record of processing activities (GDPR Art. 30).
botwerk-admin-failed = That did not work: { $message }
