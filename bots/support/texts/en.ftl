# The support bot's texts, English.
bot-title = Botwerk support
support-purpose = Answering your support requests about orders and payments
support-category-tickets = Your support tickets: topic, your description and when you opened them
support-cmd-ticket = Open a support ticket
support-cmd-tickets = List your tickets
support-topic-order = An order
support-topic-payment = A payment
support-topic-other = Something else
support-ask-topic = What is your request about?
support-pick-topic = Please choose a topic with the buttons, or /cancel.
support-ask-description = Please describe your request in one message (10 to 2000 characters). Leave out anything we do not need, such as card numbers.
support-bad-description = Please describe your request in 10 to 2000 characters, or /cancel.
support-confirm = Topic: { $topic }
    { $description }
    Shall I open the ticket? We answer within one working day. Tickets are deleted after 30 days.
support-button-send = Open ticket
support-button-cancel = Cancel
support-use-buttons = Please open or cancel the ticket with the buttons.
support-opened = Ticket #{ $number } is open. We answer you here.
support-cancelled = No ticket was opened.
support-no-tickets = You have no open tickets. /ticket opens one.
support-tickets-title = Your tickets:
support-ticket-line = #{ $number }, opened { $date }
support-unexpected = I'm the support bot: /ticket opens a support request, /tickets lists yours, /help shows everything.
support-button-new = New ticket
