"""English comment fragments (expats and English-speaking customers), by aspect and sentiment.

Same placeholders as ``text_ru``; ``{where}`` is a branch name ("Tverskaya") and
``{from}`` reads "at the Tverskaya branch" or "from the contact centre".
"""

from __future__ import annotations

PHRASES: dict[str, dict[str, list[str]]] = {
    "queue": {
        "neg": [
            "The queue at the {where} branch was huge, I stood there for {min_w}.",
            "Took a ticket and waited {min_w} while only two of six windows were open.",
            "The electronic queue is broken, tickets are called out of order.",
            "Why book online if you still sit in the queue for {min_w}?",
            "At lunchtime the branch is packed, the line goes out the door.",
            "Waiting {min_w} just to pick up a card is too much.",
            "Long wait for my turn, clearly not enough staff.",
            "Came at opening time and there was already an hour-long queue.",
        ],
        "pos": [
            "Hardly any queue, I was seen within {min_w}.",
            "Booked a slot online and was served right on time, no queue at all.",
            "The queue system works well, only waited {min_w}.",
            "Walked into the {where} branch and was served straight away.",
            "Handy that you can take a queue ticket in the app beforehand.",
        ],
    },
    "wait": {
        "neg": [
            "Everything is very slow, the paperwork took {min_w}.",
            "My application was under review for {days_w} although they promised one day.",
            "The process drags on: one confirmation, then another, then more waiting.",
            "They said they would call back within an hour, I waited {days_w}.",
            "Application status has not changed for {days_w} and nobody explains anything.",
            "Got a reply to my request only after {days_w}.",
        ],
        "pos": [
            "Everything was done in about {min_w}, really fast.",
            "Application approved the same day, pleasantly surprised.",
            "Quick and without unnecessary bureaucracy.",
            "Did not expect it to go so smoothly.",
        ],
    },
    "staff": {
        "neg": [
            "The staff member was rude and clearly not happy to see customers.",
            "The manager could not answer a single question and had to call a senior.",
            "The consultant mixed up the tariffs and gave me wrong information.",
            "Staff were indifferent, nobody asked what I needed.",
            "They kept pushing insurance and a credit card when I only came for a debit card.",
            "Nobody spoke English and nobody tried to help.",
            "The courier was impolite and rushed me to sign.",
        ],
        "pos": [
            "Friendly and polite staff, everything was explained.",
            "Very competent manager, answered all my questions.",
            "They even explained everything in English, much appreciated.",
            "The consultant patiently helped me set up the app.",
            "Very welcoming staff, thank you!",
            "Clear explanations and no pushy upselling.",
        ],
    },
    "app_crash": {
        "neg": [
            "The app keeps crashing when I try to make a transfer.",
            "Since the update the app does not open at all.",
            "The app freezes on the loading screen, I have to reinstall it.",
            "The app crashed {times_w} this week right in the middle of a payment.",
            "It says 'something went wrong' and kicks me back to the home screen.",
            "The app is laggy and crashes on my Android phone.",
        ],
        "pos": [
            "The app is stable, not a single crash so far.",
            "After the update the app is really fast.",
            "Everything works quickly and without glitches.",
        ],
    },
    "app_login": {
        "neg": [
            "Can't log in to the app: it says wrong password although the password is right.",
            "Fingerprint login stopped working, I type my password every time.",
            "Face ID does not work, I have to enter the code manually.",
            "It logs me out every time and asks me to sign in again.",
            "Login was blocked after three attempts and can only be unlocked at a branch.",
            "Logging in takes a minute with an endless spinner.",
        ],
        "pos": [
            "Face ID login is instant, very convenient.",
            "Fingerprint login works first time.",
            "Logging in is quick and easy.",
        ],
    },
    "app_fixed": {
        "pos": [
            "Finally they fixed the app login, everything works now.",
            "Since the update login is instant, it used to be a pain.",
            "The app used to crash at login, now it is rock solid.",
            "Thanks for fixing fingerprint login, I'm in within a second.",
            "No more typing my password every time, Face ID finally works.",
        ],
    },
    "app_ux": {
        "neg": [
            "The app is confusing, I can't find my card details.",
            "Too many ads in the app, very annoying.",
            "Transfers take far too many steps.",
            "Couldn't find how to change my card limits in the app.",
            "The English version of the app is only half translated.",
        ],
        "pos": [
            "The app is convenient and clear, everything at hand.",
            "Transfers by phone number take a couple of taps.",
            "Love that I got a virtual card instantly.",
            "The new app design is great.",
            "Set my PIN right in the app in a minute.",
        ],
    },
    "delivery": {
        "neg": [
            "They promised to deliver the card in two days, I've been waiting {days_w}.",
            "The courier rescheduled {times_w} and then never showed up.",
            "Card delivery is delayed and support can't tell me where it is.",
            "The courier was {hours_w} late and didn't even call.",
            "Delivery status hasn't updated for a week, still no card.",
            "The delivery was cancelled without explanation and I had to reorder.",
            "Delivery window 9am to 9pm, am I supposed to stay home all day?",
            "Still no card after {days_w}, the courier service doesn't pick up.",
        ],
        "pos": [
            "The courier arrived on time and everything was quick.",
            "The card was delivered the next day, very convenient.",
            "Delivered right within the chosen time slot.",
            "Great that they brought the card to my office.",
        ],
    },
    "fees": {
        "neg": [
            "I was charged {rub_w} for card maintenance although it was supposed to be free.",
            "The fee for cash withdrawals at other banks' ATMs is outrageous.",
            "Hidden fees: nobody told me SMS alerts are paid.",
            "Why do you charge for transfers to friends? Other banks don't.",
            "They took {rub_w} for no clear reason and the statement doesn't explain it.",
        ],
        "pos": [
            "Free card maintenance and no hidden fees.",
            "Transfers without commission, great value.",
            "Transparent terms, all fees are clear upfront.",
        ],
    },
    "cashback": {
        "neg": [
            "Cashback was lower than promised.",
            "The cashback categories get worse every month.",
            "Last month's cashback never arrived.",
            "The cashback rules are so confusing.",
            "Cashback was cut to almost nothing.",
        ],
        "pos": [
            "Great cashback, especially at supermarkets.",
            "Cashback arrives on time, got back {rub_w} last month.",
            "I like choosing my own bonus cashback categories.",
        ],
    },
    "chatbot": {
        "neg": [
            "The chat bot doesn't understand the question and replies with templates.",
            "The bot sends me in circles, impossible to reach a human.",
            "I wrote to the chat and the bot suggested the FAQ {times_w}.",
            "The chat robot is useless, I had to call.",
            "Waited {min_w} for an agent in the chat, then the chat just closed.",
            "The bot only answers in Russian even though I write in English.",
        ],
        "pos": [
            "The chat bot quickly showed me where to find my account details.",
            "An agent joined the chat within a minute, very responsive.",
            "Quick and to-the-point answers in the chat.",
        ],
    },
    "hold": {
        "neg": [
            "I was on hold for {min_w}.",
            "The hold music never ends, impossible to get through.",
            "They transferred me between agents {times_w} and I had to explain everything again.",
            "The phone menu is so long you forget your question.",
            "The call dropped after {min_w} on hold.",
            "They promised to call back and never did.",
        ],
        "pos": [
            "Got through quickly, the agent answered almost immediately.",
            "The agent picked up within a couple of minutes and solved it on the phone.",
            "No long wait on the line.",
        ],
    },
    "resolution": {
        "neg": [
            "My issue was never resolved, they just told me to wait.",
            "Nothing was fixed, they only opened another ticket.",
            "I have contacted you {times_w} and still nothing.",
            "I got a canned reply and my problem is still there.",
            "The money for a wrong transaction still hasn't been returned.",
            "They said it's not their department and didn't help.",
        ],
        "pos": [
            "Problem solved on the first contact.",
            "They refunded the money the same day, case closed.",
            "Sorted out quickly, I didn't have to go anywhere.",
            "They looked into it and fixed the mistake right away.",
            "They unblocked my card in five minutes.",
        ],
    },
    "rates": {
        "neg": [
            "The interest on the balance is a joke.",
            "They cut the interest rate without any notice.",
            "Other banks pay more interest on the balance.",
        ],
        "pos": [
            "Good interest on the balance, my money works.",
            "Nice to get interest on the balance every month.",
        ],
    },
    "documents": {
        "neg": [
            "They asked for a pile of documents although I already have an account.",
            "Had to come back {times_w} because of wrongly filled papers.",
            "They misspelled my name from the passport, now everything has to be redone.",
            "The contract is only in Russian and nobody could explain it.",
            "Without a migration card copy they refused to open the card, nobody warned me.",
        ],
        "pos": [
            "Opened with just my passport, no extra paperwork.",
            "Signed everything electronically, very convenient.",
            "They explained the contract point by point.",
        ],
    },
    "sms": {
        "neg": [
            "The SMS code arrives minutes later when it has already expired.",
            "The confirmation SMS never arrives.",
            "I get the same SMS {times_w}, why?",
            "Can't confirm a payment because the code doesn't come.",
            "SMS alerts arrive half an hour late.",
        ],
        "pos": [
            "Codes arrive instantly.",
            "Transaction alerts come right away, easy to keep track of spending.",
        ],
    },
    "website": {
        "neg": [
            "The application form on the website is broken, I had to fill it in {times_w}.",
            "The website loads slowly and freezes at the passport step.",
            "The card terms on the website are unclear.",
            "The English version of the website is missing half the information.",
        ],
        "pos": [
            "Filled in the application on the website in five minutes.",
            "Everything is clearly described on the website, easy to compare cards.",
            "Internet banking is clear, easy to see my spending.",
        ],
    },
}

PRAISE = [
    "Many thanks to {emp_nom} {from}, {e:he|she} explained everything in detail.",
    "I want to thank {emp_nom} for the patience and professionalism.",
    "{emp_nom} is the best person at this bank, sorted everything out in five minutes.",
    "{emp_nom} {from} was super helpful!",
    "Special thanks to {emp_nom}, {e:he|she} even switched to English for me.",
    "Thanks to {emp_nom}, my issue was solved in one go.",
    "{emp_nom} {from} deserves a bonus!",
    "Please pass my thanks to {emp_nom}, really helpful.",
    "Big thank you to {emp_nom} {from}.",
]

OPENERS = {
    "neg": ["Honestly, ", "Unfortunately, ", "Not the first time. ", "Seriously? ", "Well... "],
    "pos": ["Overall very happy. ", "Pleasantly surprised! ", "Thank you! ", "Great service. "],
}
CLOSERS = {
    "neg": [
        "Please fix this.",
        "Thinking about switching banks.",
        "Very disappointed.",
        "Will move to another bank if this goes on.",
        "Really inconvenient.",
    ],
    "pos": [
        "Keep it up!",
        "Will recommend to friends.",
        "Thanks for the great service!",
        "Happy customer.",
    ],
    "mix": ["That's why not a 10.", "Fix it and I'll rate higher.", "Otherwise all good."],
}
BUT = ["But ", "However, ", "The only downside: ", "That said, "]
SHORT = {
    "neg": [
        "Terrible.",
        "Very unhappy.",
        "Never again.",
        "Disappointed.",
        "Awful service",
        "Not recommended.",
        "Bad",
    ],
    "pos": [
        "All great!",
        "Thanks!",
        "Excellent",
        "Loved it",
        "Best bank in Moscow",
        "Highly recommend!",
        "Fast and easy.",
        "Good job!",
    ],
    "mix": [
        "OK.",
        "Not bad overall.",
        "Room for improvement.",
        "Average.",
        "Nothing special.",
        "Could be better.",
    ],
}
PII = [
    " Please call me back on {phone}.",
    " My number is {phone}.",
    " Email me at {email}.",
    " Contact me: {email}, phone {phone}.",
]
EMOJI = {"neg": ["😡", "👎", "😤"], "pos": ["👍", "🙂", "🔥"], "mix": ["🤔"]}
