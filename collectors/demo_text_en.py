"""English phrase bank of the demo company, and the Hacker News style threads (our own text; data only).

Same shape as ``collectors.demo_text_de``; ``HN_STORIES`` and ``HN_COMMENTS`` are English only.
"""

SLOTS: dict[str, list[str]] = {
    "brand": ["Hafenlicht", "Hafenlicht", "Hafenlicht", "@hafenlicht", "Hafenlicht Energie", "hafenlicht",
              "#Hafenlicht"],
    "brand_gen": ["Hafenlicht's", "Hafenlicht's", "the Hafenlicht"],
    "app": ["Hafenlicht App", "Hafenlicht app", "Hafenlicht-App"],
    "box": ["LichtBox", "Lichtbox", "#LichtBox", "Hafenlicht LichtBox"],
    "comp": ["Stromwerk Nord", "Stromwerk Nord", "Stromwerk", "GrünFluss", "Gruenfluss"],
    "hours": ["2", "3", "three", "four", "5", "two"],
    "mins": ["20", "35", "45", "50", "90", "40"],
    "euro": ["12", "18", "23", "27", "31", "35", "42", "56"],
    "pct": ["14", "17", "19", "21", "23", "11"],
    "month": ["January", "February", "March", "the new year", "next month"],
    "place": ["Hamburg", "Altona", "Ottensen", "Lüneburg", "Kiel", "Bremen"],
    "kwh": ["2,400", "3,100", "1,800", "4,200", "2,750"],
    "who": ["My flatmate", "My neighbour", "My partner", "A colleague", "My landlord"],
}

OPENERS = ["", "", "", "", "Ok so ", "Honestly, ", "Quick question: ", "PSA: ", "Hey folks, ",
           "Not gonna lie, ", "Update: ", "So apparently ", "Well. "]
CLOSERS = ["", "", "", "", " Thanks!", " Anyone else?", " Just saying.", " Is this normal?", " Cheers.", " lol"]
# Only for posts in a bad mood (a happy post does not end with "Sigh."):
GRIPE_OPENERS = ["Ugh. "]
GRIPE_CLOSERS = [" Unreal.", " Sigh."]

TOPICS: dict[str, list[str]] = {
    "outage": [
        "Is the {app} down for everyone? Can't log in since this morning.",
        "Thanks for the {hours} hours on hold, {brand}. Truly world-class service.",
        "{brand} customer portal throwing 503s for {mins} minutes now. Status page says all green. Sure.",
        "Love how the {app} picks the one day I need it to fall over.",
        "{brand}, your app and portal have been dead for hours and nobody says a word. Not great.",
        "Can't submit my meter reading, {app} just spins forever. Hotline is busy.",
        "Hey {brand}, any ETA on the outage? Your app won't even open.",
        "Energy company that can't keep a login page up. {brand} in a nutshell today.",
        "Not the power, just the {app}. Still annoying when you need to change your payment.",
        "The {app} logged me out three times and now it won't let me back in. Great job.",
        "Outage at {brand}: app, portal and chat all gone. I really hope it's only the IT.",
        "I'm usually patient, {brand}, but {hours} hours without any update is too much.",
        "Day off, wanted to sort out my {brand} account. {app}: error 503. Portal: error 503. Lovely.",
        "The {brand} chatbot just keeps saying 'Sorry, I didn't get that'. Neither did I, mate.",
        "Imagine being an energy company in 2026 without a working customer portal. {brand}, seriously.",
        "Reinstalled the {app} twice. Still crashes on start. Is it just me?",
    ],
    "outage_after": [
        "{app} is back. An explanation from {brand} would be nice though.",
        "{brand} apologised for yesterday's outage. Took them long enough.",
        "Still can't log into the {app} after the outage. Anyone else?",
        "After the {brand} outage I'm wondering how well they protect customer data.",
        "The {brand} outage was annoying but the apology sounded genuine. Staying for now.",
        "Three days on and {brand} still hasn't published a proper explanation of the outage.",
        "At least {brand} is waiving late fees for meter readings after the outage.",
    ],
    "pricing": [
        "Got the letter from {brand}: prices up {pct}% from {month}. Brilliant.",
        "{brand} is raising prices while wholesale electricity gets cheaper. How does that work?",
        "My monthly payment to {brand} goes up by {euro} euros. Time to switch?",
        "The {brand} price increase letter is written so you need to read it three times.",
        "Not bad, {brand}: promise a loyalty bonus, then hike prices. 👏",
        "Anyone used the special termination right after the {brand} price hike?",
        "Fair enough, {brand} explained the increase early. Still {pct}% is steep.",
        "Eight years with {brand} and my reward is a price increase.",
        "{brand} is now more expensive than {comp}. That used to be the other way round.",
        "Letter from {brand} calls it a 'price adjustment'. Just call it a price increase.",
        "Standing charge up, unit rate up. {brand} is making switching look very attractive.",
        "Has anyone else had the {brand} price letter? How much more are you paying now?",
    ],
    "privacy": [
        "What data does the {brand} smart meter actually send? 15-minute readings?",
        "Asked {brand} for my GDPR data export. Let's see how long it takes.",
        "Why does the {app} want my location? It's an electricity supplier.",
        "Does the {box} send data to the cloud or does it stay local? Can't find anything in the docs.",
        "{brand_gen} privacy policy mentions sharing with 'partners'. Which partners?",
        "Credit where due: {brand} only uses smart meter data for tariffs if you opt in.",
        "The {app} asks for contacts access on every launch. That's not how privacy works.",
        "Good on {brand} for publishing a readable page on smart meters and GDPR.",
        "Filed a GDPR access request with {brand} {hours} weeks ago. Still no answer.",
    ],
    "launch": [
        "The {box} arrived! Install took two hours, working perfectly.",
        "First week with the {box}: evening load runs from the battery instead of the grid. Love it.",
        "Didn't expect {brand} to build a decent home battery, but the {box} is great.",
        "{box} plus balcony solar is a really good combo. Thanks {brand}!",
        "Finally a home battery without a subscription trap. Really liking the {box}.",
        "Setting up the {box} through the {app} was surprisingly easy.",
        "Not bad at all, the {box}. Quiet, compact, and the app display makes sense.",
        "Anyone have the {box} yet? Worth it at {kwh} kWh a year?",
        "Can't complain: {box} has been running for three weeks without a hiccup.",
        "The {brand} installer was on time, friendly and explained everything. That's service.",
        "Ordered a {box}! Curious if it lives up to what {brand} promises.",
        "With the {box} I can finally see how much of my solar power I actually use. Great fun.",
    ],
    "lichtbox_gripe": [
        "Ordered the {box} six weeks ago, delivery date moved twice.",
        "My {box} shows 'offline' in the app. Support says an update is coming.",
        "Why can't I set up the {box} without the {app}? No local interface?",
        "The {box} beeps at night when it's full. Can I turn that off?",
        "Good battery, but the {box} is pricey for its capacity.",
    ],
    "employer": [
        "{brand} is hiring apprentices in Hamburg, decent pay from what I hear.",
        "The works council at {brand} is pushing back on the new shift planning in customer service.",
        "Anyone worked at {brand}? Thinking about applying for their IT team.",
        "Did my apprenticeship at {brand}, good team, they kept me on afterwards.",
        "Heard customer service jobs at {brand} are pretty high pressure.",
        "Job interview at {brand} was relaxed and fair. Fingers crossed.",
        "The {brand} works council wants a say before customer service calls get analysed. Good.",
        "{brand} apprentices showed kids how a {box} works at a school fair. Nice one.",
    ],
    "q_billing": [
        "Why did {brand} charge me twice this month? Who can help?",
        "Still no annual bill from {brand}. Is that normal?",
        "{brand}, I have a {euro} euro credit on my account, when is it paid out?",
        "What is 'metering point operation' on my {brand} bill?",
        "Why does my {brand} bill show a different meter reading than the one I submitted?",
    ],
    "q_abschlag": [
        "How do I lower my monthly instalment with {brand}? Can't find the option.",
        "{brand} raised my monthly instalment without asking. Are they allowed to?",
        "Can I pay {brand} quarterly instead of monthly?",
        "After the annual bill {brand} wants {euro} euros more per month. Is that right?",
        "Will {brand} adjust my monthly payment automatically after the price increase?",
    ],
    "q_move": [
        "Moving to {place} next month. How do I take my {brand} contract with me?",
        "New flat, meter reading already sent. {brand}, what happens next?",
        "Moving abroad, how do I cancel {brand} properly?",
        "Moving in with my partner who's with {comp}. Do I need to cancel {brand}?",
    ],
    "q_login": [
        "Forgot my password and the {app} never sends the reset email. What now?",
        "New phone, how do I reset two-factor login in the {app}?",
        "The {app} says 'customer number unknown' but it's right there on my bill.",
        "Where do I find old bills in the {app}? Only this year shows up.",
        "Since the update the {app} won't let me log in with Face ID. Any ideas?",
    ],
    "competitor": [
        "Switched from {brand} to {comp}, saving {euro} euros a year.",
        "{comp} or {brand}? Who has better customer service?",
        "{comp} hotline is no better than {brand}, just so you know.",
        "Went to {comp}, came back to {brand} after a month. Grass wasn't greener.",
        "{comp} has no proper app, that's the main reason I stay with {brand}.",
        "Price check: {comp} is {euro} euros a year cheaper than {brand} for me.",
        "{comp} wins on price, {brand} on service. Pick your poison.",
        "{comp} sent me a {euro} euro switching bonus offer. {brand} never does that.",
        "Green power comparison: {brand} vs {comp}. Both certified, {brand} slightly pricier.",
    ],
    "general": [
        "Three years of green power from {brand}, zero issues.",
        "Submitted my meter reading in the {app} in 30 seconds. That's how it should be.",
        "The person on the {brand} hotline was really kind today. Thanks!",
        "Annual bill from {brand}: {euro} euros back. 🎉",
        "New feature in the {app}: daily usage graph. Nice.",
        "{who} switched to {brand} too. No complaints so far.",
        "{brand} sponsors the youth football team in {place} now. Nice touch.",
        "The energy saving tips in the {app} are actually useful.",
        "{brand} paid my credit without me even asking. No complaints.",
    ],
    "comment": [
        "Same here with {brand}.",
        "Had the same with {brand}, an email to support fixed it.",
        "Can't confirm for {brand}, works fine for me.",
        "Just switch to {comp}, never had that trouble.",
        "Did you contact {brand} directly?",
        "Sadly not a one-off with {brand}.",
        "{brand} usually answers faster on social than by email.",
        "Thanks for the tip, will try that with {brand}.",
    ],
    "noise": [
        "Anyone going to the Hafenlicht Festival this year? Great line-up!",
        "German grid fees are out of control, discuss.",
        "Lovely sunset at the harbour tonight. 🌅",
    ],
}

REDDIT_TITLES: dict[str, list[str]] = {
    "outage": ["Hafenlicht app/portal down?", "Hafenlicht outage megathread"],
    "pricing": ["Hafenlicht price increase – worth switching?", "Hafenlicht letter: +{pct}%"],
    "privacy": ["Hafenlicht smart meter data – what do they collect?"],
    "launch": ["LichtBox review after one month", "Anyone using the LichtBox?"],
    "employer": ["Working at Hafenlicht Energie?"],
    "competitor": ["Stromwerk Nord vs Hafenlicht for expats in Hamburg"],
    "question": ["Hafenlicht billing question", "Moving flats with Hafenlicht, how?"],
}

NEWS: dict[str, list[tuple[str, str]]] = {
    "outage": [("Hamburg utility Hafenlicht hit by customer portal outage",
                "Customers could not use the app or portal for several hours; power supply was unaffected.")],
    "pricing": [("Hafenlicht raises electricity prices by up to {pct} percent",
                 "The Hamburg supplier cites higher grid fees for the increase.")],
    "launch": [("Hafenlicht launches LichtBox home battery",
                "The battery targets households with balcony or rooftop solar.")],
    "employer": [("Hafenlicht staff elect first works council in customer service",
                  "The vote follows a dispute over shift planning in the supplier's call centres.")],
    "general": [("Hafenlicht reports growth in green power customers",
                 "The Hamburg supplier gained customers this year while profit dipped slightly."),
                ("Hafenlicht to build public chargers in {place}",
                 "Twelve charging points are planned by the end of the year.")],
    "competitor": [("Stromwerk Nord cuts prices as Hafenlicht raises them",
                    "Hamburg's two regional suppliers move in opposite directions on tariffs.")],
    "privacy": [("How German utilities like Hafenlicht handle smart meter data",
                 "Fifteen-minute readings are only used with consent, the company says.")],
}

OWN: dict[str, list[str]] = {
    "outage": [
        "We're currently seeing an outage of the app and customer portal. Power supply is not affected. "
        "Updates: hafenlicht.example/status",
        "Update: the app and portal are back up. We're sorry for the trouble.",
        "So sorry! The outage affects the app and portal only, your power supply is fine. ^{sig}",
    ],
    "post": [  # by index: 0 launch, 1 price explanation, 2 app feature
        "Meet the LichtBox, our home battery for balcony and rooftop solar: hafenlicht.example/lichtbox",
        "About the price change: here is which costs went up and why: hafenlicht.example/prices",
        "New in the app: daily usage and energy saving tips. Update now!",
    ],
    "jobs": [
        "We're hiring! Software engineers for our customer apps in Hamburg: hafenlicht.example/careers",
        "Join our data team in Hamburg (English-speaking, hybrid): hafenlicht.example/careers",
    ],
}

GREETINGS = ["Hi!", "Hello,", "Hi there,", "Hey,"]
SIGN_OFFS = ["", "", "Best wishes", "Thanks for your patience!", "Have a good day!"]
ANSWERS: dict[str, list[str]] = {
    "q_billing": [
        "a double charge shouldn't happen. Please DM us your customer number and we'll check right away.",
        "annual bills are going out over the next days, yours should arrive shortly.",
        "credits are paid to your bank account within 14 days of the bill.",
    ],
    "q_abschlag": [
        "you can change your instalment in the app under Contract > Payments.",
        "after a price change we adjust instalments automatically; you can change yours any time.",
    ],
    "q_move": [
        "you can tell us about your move at hafenlicht.example/move and take your contract with you.",
        "please DM us the meter reading from the day you moved in and your new address, we'll do the rest.",
    ],
    "q_login": [
        "please check your spam folder. If nothing's there, DM us and we'll reset your access.",
        "we can reset two-factor login after a quick check. Please send us a DM.",
    ],
    "pricing": [
        "thanks for the feedback. Here is which costs went up: hafenlicht.example/prices",
        "we understand. You have a special right to cancel; happy to look for a cheaper tariff with you via DM.",
    ],
    "privacy": [
        "we only use consumption data with your consent. Details: hafenlicht.example/privacy",
        "your GDPR request is being processed; we'll reply within the legal deadline.",
    ],
    "lichtbox_gripe": [
        "sorry about that! We've passed it on to the team and will get back to you.",
        "delivery times for the LichtBox are longer right now. DM us and we'll give you your exact date.",
    ],
}

HN_STORIES: list[tuple[str, str]] = [
    ("Show HN: Reading my LichtBox home battery over the local network", "I reverse engineered the Hafenlicht "
     "LichtBox's local API so I can get data without the cloud. Writeup and code inside."),
    ("Hafenlicht outage postmortem: a bad config push took down their customer portal", ""),
    ("Ask HN: How do European utilities handle smart meter data under GDPR?", "Got a smart meter from Hafenlicht "
     "and I'm curious how much of the 15-minute data actually leaves the house."),
    ("Why does an energy company's app need 40 SDKs? (Hafenlicht App teardown)", ""),
    ("Stromwerk Nord open-sources its tariff calculation engine", ""),
]

HN_COMMENTS: dict[int, list[str]] = {  # by index into HN_STORIES
    0: ["The LichtBox exposing a local API at all is more than most vendors do. Hafenlicht deserves some credit.",
        "Modbus on the LichtBox would make it an instant buy for the Home Assistant crowd.",
        "We evaluated the LichtBox for a pilot. Hardware is fine, the cloud dependency is the problem.",
        "Does the LichtBox firmware check signatures? If not, this writeup is also an attack guide.",
        "Nice work. I'd love to see how the LichtBox reports state of charge, it looked laggy in the app.",
        "Hafenlicht will probably close this in the next firmware update. Grab the old one while you can."],
    1: ["Classic: 'config push' means nobody had a canary for the Hafenlicht portal.",
        "If your status page is green during an outage, it's a marketing page. Looking at you, Hafenlicht.",
        "Honest question: is the Hafenlicht outage really news? Portals go down, power stayed on.",
        "The Hafenlicht postmortem is better than most: timeline, root cause, and what they'll change.",
        "Nine hours to roll back a config change tells you more about Hafenlicht's deploys than the bug.",
        "GrünFluss runs their customer portal on a static site plus a small API; never seen it down."],
    2: ["I'd be more worried about the smart meter gateway than the Hafenlicht app itself.",
        "GDPR gives you a right to your data, but good luck getting 15-minute readings out of Hafenlicht as CSV.",
        "In Germany the gateway is certified by the BSI; what Hafenlicht does after that is the open question.",
        "I asked Hafenlicht for my data under GDPR and got a PDF with monthly totals. Not what I asked for.",
        "Fifteen-minute readings are enough to tell when you are home. Hafenlicht should default to daily."],
    3: ["Every utility app I've looked at is a thin WebView around a portal from 2009. Hafenlicht is no exception.",
        "The tracker count in the Hafenlicht App teardown is depressing but sadly normal.",
        "Hafenlicht's API returns the full account object including IBAN to the app. That's the real story.",
        "Counterpoint: the Hafenlicht App is one of the few that works offline for meter readings.",
        "Forty SDKs in the Hafenlicht App and still no dark mode."],
    4: ["Stromwerk Nord publishing their tariff engine is a smart move, Hafenlicht should follow.",
        "Stromwerk's code is mostly a rules table, but it's nice to see how the grid fees are applied.",
        "Would love GrünFluss and Hafenlicht to do the same so you could compare tariffs properly.",
        "Stromwerk Nord open-sourcing this is great PR after their own billing mess last year."],
}
HN_OPENERS = ["", "", "", "Agreed. ", "Not sure about that. ", "This. ", "Hmm. ", "Interesting. "]
