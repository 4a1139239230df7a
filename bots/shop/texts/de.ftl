# Die Texte des Demo-Shops, Deutsch.
shop-cmd-start = Begrüßung und Angebot des Shops
shop-cmd-order = Eine Bestellung aufgeben
shop-welcome = Willkommen im Botwerk-Demo-Shop! Wir verkaufen Kaffeebohnen, grünen Tee und Tassen. Tippe auf den Knopf oder schreibe /order, um zu bestellen.
shop-button-order = Jetzt bestellen
shop-unexpected = Ich bin der Shop-Bot und nehme gern eine Bestellung auf. Tippe auf den Knopf oder schreibe /order; /help zeigt alles, was ich kann.
shop-unknown-command = /{ $command } kenne ich nicht. Mit /help siehst du, was ich kann.
shop-stale-button = Dieser Knopf gehört zu einem früheren Gespräch. Schreibe /order für eine neue Bestellung.
shop-ask-product = Was möchtest du bestellen?
shop-product-coffee = Kaffeebohnen, 1 kg
shop-product-tea = Grüner Tee, 250 g
shop-product-mug = Botwerk-Tasse
shop-product-button = { $name } – { $price }
shop-pick-product = Bitte wähle ein Produkt mit einem der Knöpfe oder schreibe /cancel.
shop-ask-quantity = Wie viele „{ $product }“? Tippe auf einen Knopf oder schicke eine Zahl von 1 bis 99.
shop-bad-quantity = Bitte schicke eine Zahl von 1 bis 99 oder schreibe /cancel.
shop-ask-address = Wohin sollen wir liefern? Schicke die vollständige Adresse in einer Nachricht: Straße und Hausnummer, Postleitzahl und Ort.
shop-bad-address = Das sieht nicht nach einer Adresse aus. Bitte schicke Straße und Hausnummer, Postleitzahl und Ort in einer Nachricht (8 bis 300 Zeichen).
shop-confirm = { $quantity } × { $product } für { $total }, Lieferung an:
    { $address }
    Soll ich die Bestellung aufgeben?
shop-button-confirm = Bestellen
shop-button-cancel = Abbrechen
shop-use-buttons = Bitte bestelle oder brich mit den Knöpfen ab.
shop-placed = Bestellung Nr. { $number } ist aufgegeben. Danke!
shop-cancelled = Bestellung abgebrochen. Es wurde nichts bestellt.
shop-purpose-order = Deine Bestellungen annehmen und liefern
shop-category-orders = Deine Bestellungen: Produkt, Menge, Lieferadresse, Preis und Zeitpunkt
shop-purpose-remember = Deine Lieferadresse für die nächste Bestellung merken
shop-category-saved-address = Deine letzte Lieferadresse
shop-purpose-newsletter = Ein Newsletter mit unseren Angeboten, höchstens eine Nachricht pro Woche
shop-use-saved = Liefern an { $address }
shop-address-hint = (Mit deiner Einwilligung merke ich mir die Adresse fürs nächste Mal: /consent)
bot-title = Botwerk-Demo-Shop
