# The newsletter bot's texts, English.
bot-title = Botwerk newsletter
newsletter-purpose = Sending you our newsletter about Botwerk releases, events and tips, at most one message a week
newsletter-category-topics = The topics you chose
newsletter-cmd-topics = Choose your topics
newsletter-cmd-latest = Read the latest issue
newsletter-topic-releases = Releases
newsletter-topic-events = Events
newsletter-topic-tips = Tips
newsletter-topics-title = Your topics (tap to change):
newsletter-topics-all = None chosen: you get every topic.
newsletter-latest = The latest issue: Botwerk now speaks Telegram and Discord. Subscribe with /subscribe to get the next one.
newsletter-unexpected = I send the Botwerk newsletter. /subscribe signs you up, /latest shows the latest issue, /help everything else.
newsletter-button-subscribe = Subscribe
