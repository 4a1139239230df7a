# Texts of the privacy layer, English (the fallback language).

## Commands
privacy-cmd-start = Start, and choose what I may keep
privacy-cmd-privacy = How I handle your data
privacy-cmd-mydata = Get everything I keep about you
privacy-cmd-forgetme = Erase everything I keep about you
privacy-cmd-consent = Show and change your consents
privacy-cmd-stop = Withdraw all consents at once
privacy-cmd-language = Show or change my language
privacy-cmd-subscribe = Subscribe to the newsletter
privacy-cmd-unsubscribe = Unsubscribe from the newsletter

## The privacy layer's own purposes and categories
privacy-purpose-rights = Handling your data protection requests (access, erasure, consent)
privacy-category-requests = Confirmations you have not answered yet, and when you last asked for your data
privacy-category-subscription = Your subscription: the account and chat the newsletter goes to, and since when
privacy-purpose-preferences = Remembering your settings
privacy-category-preferences = The language you chose

## Legal bases and what they mean for you
privacy-basis-consent = your consent
privacy-basis-contract = a contract with you, or steps you asked for before one
privacy-basis-legitimate-interest = our legitimate interest
privacy-basis-legal-obligation = a legal obligation
privacy-required-consent = {"   "}Providing this data is voluntary: I process it only with your consent.
privacy-required-contract = {"   "}Providing this data is required for this service: without it I cannot provide it.
privacy-required-legitimate-interest = {"   "}This is needed to run the bot; you can object at any time by writing to { $email }.
privacy-required-legal-obligation = {"   "}The law requires this processing.
privacy-retention-days = { $days ->
    [one] 1 day
   *[other] { $days } days
}
privacy-retention-hours = { $hours ->
    [one] 1 hour
   *[other] { $hours } hours
}
privacy-retention-none = no fixed period

## The notice (/privacy)
privacy-notice-title = Privacy notice: { $bot }
privacy-notice-version = Version { $version }, in force since { $date }.
privacy-notice-controller = Responsible for your data (controller): { $name }, { $address }. Contact: { $email }
privacy-notice-phone = Phone: { $phone }
privacy-notice-dpo = Data protection officer: { $name }, { $email }
privacy-notice-purposes = What I process, why, on what legal basis, and for how long:
privacy-notice-purpose = • { $purpose } — legal basis: { $basis } ({ $article })
privacy-notice-category = {"   "}– { $category }: kept for { $retention }
privacy-notice-recipients = Who receives your data:
privacy-notice-recipient = • { $name } ({ $role }): { $description }
privacy-notice-recipient-url = • { $name } ({ $role }): { $description } Their privacy policy: { $url }
privacy-notice-no-recipients = Nobody outside the controller receives your data.
privacy-notice-transfers = Transfers outside the EU/EEA:
privacy-notice-transfer = • { $country }: to { $recipient }, safeguard: { $safeguard }
privacy-notice-no-transfers = Your data is not transferred outside the EU/EEA by us.
privacy-notice-rights = Your rights:
privacy-right-access = • Access to your data and a copy of it (Art. 15 and 20 GDPR): /mydata
privacy-right-erasure = • Erasure of your data (Art. 17 GDPR): /forgetme
privacy-right-withdraw = • Withdrawing consent at any time, without affecting what was lawful before (Art. 7(3) GDPR): /consent or /stop
privacy-right-unsubscribe = • Ending the newsletter at any time: /unsubscribe
privacy-right-other = • Rectification, restriction of processing and objection (Art. 16, 18 and 21 GDPR): write to { $email }
privacy-notice-complaint = You have the right to lodge a complaint with a supervisory authority (Art. 77 GDPR), for example { $authority }: { $url }
privacy-notice-age = I ask for consent only from people aged { $age } or older.
privacy-notice-automated = I make no automated decisions about you and build no profile of you.

## First contact (/start) and consent
privacy-start-intro = Hello! { $controller } runs this bot. I keep only what I need for what you ask me to do; /privacy tells you everything about it, and /help lists what I can do.
privacy-start-consent = For the following I would like your consent. It is voluntary, and you can change your mind at any time with /consent.
privacy-start-all-given = You have given every consent I ask for; /consent shows and changes them.
privacy-consent-text = { $purpose }.
    Data: { $categories }.
    Responsible: { $controller }. Shared with: { $recipients }. { $transfers }
    You can withdraw your consent at any time with /consent or /stop.
privacy-consent-transfers = Transferred outside the EU/EEA: { $transfers }.
privacy-consent-no-transfers = Not transferred outside the EU/EEA.
privacy-consent-category = { $category } (kept for { $retention })
privacy-consent-no-recipients = nobody
privacy-button-agree = Yes, I agree
privacy-button-decline = No, thanks
privacy-age-question = Before I ask for your consent: are you { $age } years or older?
privacy-button-age-yes = Yes, { $age } or older
privacy-button-age-no = No
privacy-age-too-young = Then I do not ask for your consent, and I keep nothing that needs it. /privacy tells you what I do.
privacy-consent-needed = For this I need your consent first:
privacy-consent-changed = What you agreed to has changed. Please read it again and decide:
privacy-consent-granted = Thank you: I noted your consent to "{ $purpose }". You can withdraw it at any time with /consent or /stop.
privacy-consent-declined = All right: I keep nothing for "{ $purpose }".
privacy-consent-withdrawn = Withdrawn: "{ $purpose }". { $count ->
    [0] I kept no data for it.
    [one] I deleted the one record I kept only for it.
   *[other] I deleted the { $count } records I kept only for it.
}
privacy-consent-title = Your consents:
privacy-consent-on = ✓ { $purpose } — given on { $date }
privacy-consent-off = ✗ { $purpose } — not given
privacy-consent-none = I ask for no consent: everything I do rests on another legal basis, listed in /privacy.
privacy-button-give = Give: { $purpose }
privacy-button-withdraw = Withdraw: { $purpose }
privacy-stop-done = Done: I withdrew { $count ->
    [one] your consent
   *[other] all { $count } consents
} and deleted the data kept only because of it. What I still need for a contract with you stays; /forgetme erases everything.
privacy-stop-nothing = You have given no consent, so there was nothing to withdraw.
privacy-button-invalid = This button is no longer valid. Nothing was changed.

## Data requests
privacy-anonymous = You are writing anonymously as the group, so I cannot tell who you are: I show and change no personal data. Please write to me in a private chat.
privacy-private-refused = I cannot write to you privately, and your data does not belong in this group. Please open a private chat with me and send /{ $command } there.
privacy-private-link = I cannot write to you privately yet, and your data does not belong in this group. Open a private chat with me here, and I answer your request there: { $link }
privacy-mydata-caption = Everything I keep about you, as JSON: your accounts, every record with its purpose, legal basis and retention, and your consents.
privacy-mydata-nothing = I keep nothing about you.
privacy-mydata-limit = You can get your data { $limit } times a day. Please try again after { $time } (UTC).
privacy-forget-nothing = I keep nothing about you, so there is nothing to erase.
privacy-forget-confirm = This erases everything I keep about you, on every linked account: records, consents and settings. It cannot be undone. The button is valid for 10 minutes.
privacy-button-forget = Yes, erase everything
privacy-button-keep = No, keep my data
privacy-forget-done = Done: everything I kept about you is erased. Your receipt: { $receipt }. Keep it if you want to refer to this erasure.
privacy-forget-kept = All right: nothing was erased.
privacy-forget-invalid = This confirmation is not valid: it has expired, was used already, or is not yours. Nothing was erased. Send /forgetme to start again.

## Language
language-name = English
privacy-language-current = I write to you in English. Choose a language:
privacy-language-set = From now on I write to you in English.
privacy-language-unknown = I do not speak "{ $requested }". I speak: { $available }.
privacy-language-forced = This bot is run in one language only.

## Newsletter (double opt-in)
privacy-no-marketing = This bot sends no newsletter.
privacy-no-marketing-here = The newsletter is not offered on this messenger.
privacy-subscribe-confirm = Please confirm that you want this:
    { $text }
    Nothing is sent before you confirm. The request expires in 72 hours.
privacy-button-subscribe = Yes, subscribe me
privacy-subscribe-done = Confirmed: you are subscribed. /unsubscribe or the button under each message ends it at any time.
privacy-subscribe-already = You are already subscribed; /unsubscribe ends it.
privacy-subscribe-invalid = This confirmation has expired or is not yours. Send /subscribe to start again.
privacy-unsubscribe-done = Unsubscribed: you get no more of these messages, and I deleted your subscription.
privacy-unsubscribe-not = You were not subscribed.
privacy-button-unsubscribe = Unsubscribe
