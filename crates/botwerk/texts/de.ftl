# Texte der botwerk-Fassade, Deutsch.
botwerk-help-title = Das kann ich:
botwerk-cmd-help = Diese Liste zeigen
botwerk-purpose-conversation = Sich merken, wo du in einem Gespräch mit dem Bot stehst, damit er es fortsetzen kann
botwerk-category-dialog-state = Der Stand eines nicht abgeschlossenen Gesprächs, mit dem, was du bisher eingegeben hast
botwerk-admin-private-only = Admin-Befehle gehen nur im privaten Chat mit mir.
botwerk-admin-help =
    Admin-Befehle:
    /admin audit – die Hash-Kette des Audit-Logs prüfen
    /admin keys – prüfen, ob sich jeder Datenschlüssel entpacken lässt
    /admin purge – löschen, was über seine Speicherfrist hinaus ist, jetzt
    /admin record – das Verzeichnis von Verarbeitungstätigkeiten (Art. 30 DSGVO) als Datei
    Auskünfte und Löschungen für andere Personen laufen über die botwerk-Kommandozeile, damit niemandes Daten in einem Chat landen.
botwerk-admin-audit-intact = Das Audit-Log ist intakt: { $entries } Einträge geprüft.
botwerk-admin-audit-broken = Das Audit-Log ist bei Eintrag { $seq } gebrochen: { $problem }
botwerk-admin-purged = Bereinigung fertig: { $records } abgelaufene Datensätze gelöscht.
botwerk-admin-keys = Schlüsselprüfung: { $subjects } Personen gespeichert, { $ok } Datenschlüssel lassen sich entpacken, { $bad } nicht.
botwerk-admin-record = Das Verzeichnis von Verarbeitungstätigkeiten (Art. 30 DSGVO).
botwerk-admin-failed = Das hat nicht geklappt: { $message }
