# The demo shop's texts, English.
shop-cmd-start = Welcome and what the shop offers
shop-cmd-order = Place an order
shop-welcome = Welcome to the Botwerk demo shop! We sell coffee beans, green tea and mugs. Tap the button or type /order to order.
shop-button-order = Order now
shop-unexpected = I'm the shop bot and can take an order for you. Tap the button or type /order; /help lists everything I can do.
shop-unknown-command = I don't know /{ $command }. Type /help to see what I can do.
shop-stale-button = That button belongs to an earlier conversation. Type /order to start a new order.
shop-ask-product = What would you like to order?
shop-product-coffee = Coffee beans, 1 kg
shop-product-tea = Green tea, 250 g
shop-product-mug = Botwerk mug
shop-product-button = { $name } – { $price }
shop-pick-product = Please choose a product with one of the buttons, or type /cancel.
shop-ask-quantity = How many of "{ $product }"? Tap a button or send a number from 1 to 99.
shop-bad-quantity = Please send a number from 1 to 99, or type /cancel.
shop-ask-address = Where should we ship it? Send the full address in one message: street and number, postcode and city.
shop-bad-address = That does not look like an address. Please send street and number, postcode and city in one message (8 to 300 characters).
shop-confirm = { $quantity } × { $product } for { $total }, shipped to:
    { $address }
    Shall I place the order?
shop-button-confirm = Place order
shop-button-cancel = Cancel
shop-use-buttons = Please place or cancel the order with the buttons.
shop-placed = Order #{ $number } placed. Thank you!
shop-cancelled = Order cancelled. Nothing was ordered.
shop-purpose-order = Taking and delivering your orders
shop-category-orders = Your orders: product, quantity, shipping address, price and time
shop-purpose-remember = Remembering your shipping address for your next order
shop-category-saved-address = Your last shipping address
shop-purpose-newsletter = A newsletter with our offers, at most one message a week
shop-use-saved = Ship to { $address }
shop-address-hint = (With your consent I remember the address for next time: /consent)
bot-title = Botwerk demo shop
