# Texte der Datenschutzschicht, Deutsch.

## Befehle
privacy-cmd-start = Starten und wählen, was ich speichern darf
privacy-cmd-privacy = Wie ich mit deinen Daten umgehe
privacy-cmd-mydata = Alles erhalten, was ich über dich speichere
privacy-cmd-forgetme = Alles löschen, was ich über dich speichere
privacy-cmd-consent = Deine Einwilligungen zeigen und ändern
privacy-cmd-stop = Alle Einwilligungen auf einmal widerrufen
privacy-cmd-language = Meine Sprache zeigen oder ändern
privacy-cmd-subscribe = Den Newsletter abonnieren
privacy-cmd-unsubscribe = Den Newsletter abbestellen

## Eigene Zwecke und Kategorien der Datenschutzschicht
privacy-purpose-rights = Deine Datenschutzanfragen bearbeiten (Auskunft, Löschung, Einwilligung)
privacy-category-requests = Bestätigungen, die du noch nicht beantwortet hast, und wann du zuletzt deine Daten angefordert hast
privacy-category-subscription = Dein Abonnement: das Konto und der Chat, an die der Newsletter geht, und seit wann
privacy-purpose-preferences = Deine Einstellungen speichern
privacy-category-preferences = Die Sprache, die du gewählt hast

## Rechtsgrundlagen und was sie für dich bedeuten
privacy-basis-consent = deine Einwilligung
privacy-basis-contract = ein Vertrag mit dir oder Schritte vor einem Vertrag, um die du gebeten hast
privacy-basis-legitimate-interest = unser berechtigtes Interesse
privacy-basis-legal-obligation = eine rechtliche Verpflichtung
privacy-required-consent = {"   "}Diese Angaben sind freiwillig: Ich verarbeite sie nur mit deiner Einwilligung.
privacy-required-contract = {"   "}Diese Angaben sind für diesen Dienst erforderlich: Ohne sie kann ich ihn nicht erbringen.
privacy-required-legitimate-interest = {"   "}Das ist für den Betrieb des Bots nötig; du kannst jederzeit widersprechen, per E-Mail an { $email }.
privacy-required-legal-obligation = {"   "}Das Gesetz schreibt diese Verarbeitung vor.
privacy-retention-days = { $days ->
    [one] 1 Tag
   *[other] { $days } Tage
}
privacy-retention-hours = { $hours ->
    [one] 1 Stunde
   *[other] { $hours } Stunden
}
privacy-retention-none = keine feste Frist

## Die Datenschutzerklärung (/privacy)
privacy-notice-title = Datenschutzhinweise: { $bot }
privacy-notice-version = Version { $version }, gültig seit { $date }.
privacy-notice-controller = Verantwortlich für deine Daten: { $name }, { $address }. Kontakt: { $email }
privacy-notice-phone = Telefon: { $phone }
privacy-notice-dpo = Datenschutzbeauftragte(r): { $name }, { $email }
privacy-notice-purposes = Was ich verarbeite, wozu, auf welcher Rechtsgrundlage und wie lange:
privacy-notice-purpose = • { $purpose } — Rechtsgrundlage: { $basis } ({ $article })
privacy-notice-category = {"   "}– { $category }: gespeichert für { $retention }
privacy-notice-recipients = Wer deine Daten erhält:
privacy-notice-recipient = • { $name } ({ $role }): { $description }
privacy-notice-recipient-url = • { $name } ({ $role }): { $description } Deren Datenschutzerklärung: { $url }
privacy-notice-no-recipients = Niemand außerhalb des Verantwortlichen erhält deine Daten.
privacy-notice-transfers = Übermittlungen in Länder außerhalb der EU/des EWR:
privacy-notice-transfer = • { $country }: an { $recipient }, Garantie: { $safeguard }
privacy-notice-no-transfers = Wir übermitteln deine Daten nicht in Länder außerhalb der EU/des EWR.
privacy-notice-rights = Deine Rechte:
privacy-right-access = • Auskunft über deine Daten und eine Kopie davon (Art. 15 und 20 DSGVO): /mydata
privacy-right-erasure = • Löschung deiner Daten (Art. 17 DSGVO): /forgetme
privacy-right-withdraw = • Widerruf einer Einwilligung jederzeit, ohne dass das zuvor Rechtmäßige berührt wird (Art. 7 Abs. 3 DSGVO): /consent oder /stop
privacy-right-unsubscribe = • Den Newsletter jederzeit beenden: /unsubscribe
privacy-right-other = • Berichtigung, Einschränkung der Verarbeitung und Widerspruch (Art. 16, 18 und 21 DSGVO): schreibe an { $email }
privacy-notice-complaint = Du hast das Recht, dich bei einer Aufsichtsbehörde zu beschweren (Art. 77 DSGVO), zum Beispiel bei { $authority }: { $url }
privacy-notice-age = Um Einwilligung bitte ich nur Menschen ab { $age } Jahren.
privacy-notice-automated = Ich treffe keine automatisierten Entscheidungen über dich und erstelle kein Profil von dir.

## Erster Kontakt (/start) und Einwilligung
privacy-start-intro = Hallo! { $controller } betreibt diesen Bot. Ich speichere nur, was ich für das brauche, worum du mich bittest; /privacy erklärt alles dazu, und /help zeigt, was ich kann.
privacy-start-consent = Für Folgendes bitte ich um deine Einwilligung. Sie ist freiwillig, und du kannst sie jederzeit mit /consent ändern.
privacy-start-all-given = Du hast alle Einwilligungen gegeben, um die ich bitte; /consent zeigt und ändert sie.
privacy-consent-text = { $purpose }.
    Daten: { $categories }.
    Verantwortlich: { $controller }. Weitergabe an: { $recipients }. { $transfers }
    Du kannst deine Einwilligung jederzeit mit /consent oder /stop widerrufen.
privacy-consent-transfers = Übermittlung außerhalb der EU/des EWR: { $transfers }.
privacy-consent-no-transfers = Keine Übermittlung außerhalb der EU/des EWR.
privacy-consent-category = { $category } (gespeichert für { $retention })
privacy-consent-no-recipients = niemanden
privacy-button-agree = Ja, ich willige ein
privacy-button-decline = Nein, danke
privacy-age-question = Bevor ich um deine Einwilligung bitte: Bist du { $age } Jahre oder älter?
privacy-button-age-yes = Ja, { $age } oder älter
privacy-button-age-no = Nein
privacy-age-too-young = Dann bitte ich dich nicht um Einwilligung und speichere nichts, was eine braucht. /privacy erklärt, was ich tue.
privacy-consent-needed = Dafür brauche ich zuerst deine Einwilligung:
privacy-consent-changed = Das, worin du eingewilligt hast, hat sich geändert. Bitte lies es noch einmal und entscheide:
privacy-consent-granted = Danke: Ich habe deine Einwilligung in „{ $purpose }“ vermerkt. Du kannst sie jederzeit mit /consent oder /stop widerrufen.
privacy-consent-declined = In Ordnung: Für „{ $purpose }“ speichere ich nichts.
privacy-consent-withdrawn = Widerrufen: „{ $purpose }“. { $count ->
    [0] Ich hatte dafür keine Daten gespeichert.
    [one] Ich habe den einen Eintrag gelöscht, den ich nur dafür gespeichert hatte.
   *[other] Ich habe die { $count } Einträge gelöscht, die ich nur dafür gespeichert hatte.
}
privacy-consent-title = Deine Einwilligungen:
privacy-consent-on = ✓ { $purpose } — erteilt am { $date }
privacy-consent-off = ✗ { $purpose } — nicht erteilt
privacy-consent-none = Ich bitte um keine Einwilligung: Alles, was ich tue, beruht auf einer anderen Rechtsgrundlage, siehe /privacy.
privacy-button-give = Erteilen: { $purpose }
privacy-button-withdraw = Widerrufen: { $purpose }
privacy-stop-done = Erledigt: Ich habe { $count ->
    [one] deine Einwilligung
   *[other] alle { $count } Einwilligungen
} widerrufen und die Daten gelöscht, die ich nur deshalb gespeichert hatte. Was ich für einen Vertrag mit dir noch brauche, bleibt; /forgetme löscht alles.
privacy-stop-nothing = Du hast keine Einwilligung erteilt, es gab also nichts zu widerrufen.
privacy-button-invalid = Dieser Knopf ist nicht mehr gültig. Es wurde nichts geändert.

## Datenanfragen
privacy-anonymous = Du schreibst anonym als Gruppe, deshalb weiß ich nicht, wer du bist: Ich zeige und ändere keine personenbezogenen Daten. Bitte schreib mir in einem privaten Chat.
privacy-private-refused = Ich kann dir nicht privat schreiben, und deine Daten gehören nicht in diese Gruppe. Bitte öffne einen privaten Chat mit mir und schicke dort /{ $command }.
privacy-private-link = Ich kann dir noch nicht privat schreiben, und deine Daten gehören nicht in diese Gruppe. Öffne hier einen privaten Chat mit mir, dort beantworte ich deine Anfrage: { $link }
privacy-mydata-caption = Alles, was ich über dich speichere, als JSON: deine Konten, jeder Eintrag mit Zweck, Rechtsgrundlage und Speicherdauer, und deine Einwilligungen.
privacy-mydata-nothing = Ich speichere nichts über dich.
privacy-mydata-limit = Du kannst deine Daten { $limit }-mal am Tag erhalten. Bitte versuche es nach { $time } (UTC) wieder.
privacy-forget-nothing = Ich speichere nichts über dich, es gibt also nichts zu löschen.
privacy-forget-confirm = Das löscht alles, was ich über dich speichere, für alle verknüpften Konten: Einträge, Einwilligungen und Einstellungen. Das kann nicht rückgängig gemacht werden. Der Knopf gilt 10 Minuten.
privacy-button-forget = Ja, alles löschen
privacy-button-keep = Nein, meine Daten behalten
privacy-forget-done = Erledigt: Alles, was ich über dich gespeichert hatte, ist gelöscht. Deine Quittung: { $receipt }. Bewahre sie auf, wenn du dich auf diese Löschung beziehen willst.
privacy-forget-kept = In Ordnung: Es wurde nichts gelöscht.
privacy-forget-invalid = Diese Bestätigung ist nicht gültig: Sie ist abgelaufen, wurde schon benutzt oder ist nicht deine. Es wurde nichts gelöscht. Schicke /forgetme, um neu zu beginnen.

## Sprache
language-name = Deutsch
privacy-language-current = Ich schreibe dir auf Deutsch. Wähle eine Sprache:
privacy-language-set = Ab jetzt schreibe ich dir auf Deutsch.
privacy-language-unknown = „{ $requested }“ spreche ich nicht. Ich spreche: { $available }.
privacy-language-forced = Dieser Bot wird nur in einer Sprache betrieben.

## Newsletter (Double-Opt-in)
privacy-no-marketing = Dieser Bot verschickt keinen Newsletter.
privacy-no-marketing-here = Den Newsletter gibt es auf diesem Messenger nicht.
privacy-subscribe-confirm = Bitte bestätige, dass du das möchtest:
    { $text }
    Vor deiner Bestätigung wird nichts verschickt. Die Anfrage verfällt nach 72 Stunden.
privacy-button-subscribe = Ja, abonnieren
privacy-subscribe-done = Bestätigt: Du hast abonniert. /unsubscribe oder der Knopf unter jeder Nachricht beendet es jederzeit.
privacy-subscribe-already = Du hast schon abonniert; /unsubscribe beendet es.
privacy-subscribe-invalid = Diese Bestätigung ist abgelaufen oder nicht deine. Schicke /subscribe, um neu zu beginnen.
privacy-unsubscribe-done = Abbestellt: Du erhältst keine solchen Nachrichten mehr, und ich habe dein Abonnement gelöscht.
privacy-unsubscribe-not = Du hattest nicht abonniert.
privacy-button-unsubscribe = Abbestellen
