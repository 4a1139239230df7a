# Texte des Konsolen-Adapters, Deutsch.
console-note = Hinweis: { $text }
console-empty-line = leere Zeile übersprungen
console-line-too-long = Zeile mit { $bytes } Bytes übersprungen: erlaubt sind { $limit } Bytes
console-not-utf8 = Zeile übersprungen: sie ist kein gültiger UTF-8-Text
console-no-button = es gibt keinen Knopf #{ $number }; die letzten Antworten hatten { $count } Knöpfe
console-file-saved = [Datei { $name }, { $bytes } Bytes, gespeichert unter { $path }]
