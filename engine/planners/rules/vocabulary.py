"""Word lists for the clause level, the conversation and the photometric operations of the rules
planner (lexicon.py holds the sentence-level lists). Plain data, no logic; words are lowercase.
"""
from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- clause roles ------------------------------------------------------------------------------
# A clause made only of these (with at least one SOCIAL_HEADS word) is small talk and is dropped.
SOCIAL_HEADS = _words(
    "hi hey hello hiya yo thanks thank thx ty cheers ok okay great perfect nice awesome cool wow hmm hm "
    "um uh well please sure yes yeah yep appreciate appreciated sorry oops lol alright good excellent "
    "lovely amazing brilliant morning evening afternoon actually"
)
SOCIAL_FILLER = _words(
    "a lot so much very you there again guys buddy friend in advance it for me job that's that is thing "
    "the bunch million ton tons looks looking all right really job work done"
)
SOCIAL_PHRASES: frozenset[tuple[str, ...]] = frozenset({
    ("if", "possible"), ("if", "you", "can"), ("if", "you", "could"), ("when", "you", "can"), ("for", "me"),
    ("when", "you", "get", "a", "chance"), ("if", "that", "is", "ok"), ("if", "you", "do", "not", "mind"),
    ("no", "rush"), ("if", "it", "is", "possible"), ("thanks", "in", "advance"), ("you", "are", "the", "best"),
    ("do", "two", "things"), ("two", "things"), ("a", "few", "things"), ("do", "a", "few", "things"),
    ("a", "couple", "of", "things"), ("do", "a", "couple", "of", "things"), ("a", "couple", "of", "changes"),
    ("a", "few", "changes"), ("some", "changes"), ("two", "changes"), ("three", "things"), ("do", "three", "things"),
    ("i", "have", "a", "few", "requests"), ("a", "few", "edits"), ("two", "edits"), ("the", "following"),
    ("do", "the", "following"), ("if", "it", "is", "not", "too", "much", "trouble"), ("in", "this", "order"),
    ("quick", "one"), ("a", "quick", "one"), ("quick", "thing"), ("one", "quick", "thing"), ("one", "thing"), ("quick", "request"), ("quick", "favor"),
    ("small", "request"), ("a", "small", "request"), ("one", "more", "thing"), ("a", "request"),
})
CLOTHING = _words(
    "dress suit shirt jacket coat hat costume uniform sweater tuxedo gown robe armor armour kimono bikini "
    "swimsuit hoodie scarf skirt jeans pajamas pyjamas outfit clothes overalls cape apron vest tie raincoat "
    "overcoat sweatshirt t-shirt tshirt nightgown wetsuit tracksuit spacesuit blouse trousers shorts tutu"
)
# Statements that describe the picture or a complaint; before a request they only name its object.
# Verbs of an object that spoils the picture ("the lamp post kinda ruins the view"): a complaint about it.
SPOIL_VERBS = _words("ruins ruin ruined ruining spoils spoil spoiled spoilt spoiling wrecks wrecked clutters cluttered "
                     "photobombs photobombed distracts blocks blocked")
DESCRIBE_VERBS = _words("is are was were looks look seems seem feels feel has have got gets appears appear") \
    | SPOIL_VERBS
DISLIKE_VERBS = _words("hate dislike detest")
NOT_KEEN = _words("loving liking into keen digging feeling fond crazy sold")  # "not loving the sky", "not into it"
LIKE_VERBS = _words("like love want need fancy")
FAN_PHRASES: tuple[tuple[str, ...], ...] = (
    ("am", "not", "a", "fan", "of"), ("am", "not", "happy", "with"), ("am", "not", "sure", "about"),
    ("am", "not", "keen", "on"), ("am", "not", "crazy", "about"), ("am", "unhappy", "with"),
)
CONTEXT_OPENERS = _words("this here that")  # "this is my dog", "here is the photo"
# A story about the picture before the request: "I was at the zoo and got this pic, ..."
NARRATIVE_VERBS = _words("have took was were went visited saw got snapped shot spent found had")
# "so excited to try this": how the speaker feels (small talk).
FEELINGS = _words("excited glad thrilled stoked pumped delighted grateful curious")
FEELING_LEADS = _words("so really very i am we are super soooo")
# "love it", "I like the result": praise of the last edit (small talk).
RESULT_WORDS = _words("it that this so much very a lot the result edit change new version one")
PAST_STORY = _words("was were went visited took saw spent found had got snapped shot drew wrote made spilled spilt "
                    "broke left")  # "I was at the beach yesterday"
# "(I) love this shot": praise of what is there, said before a request.
PRAISE_VERBS = _words("love loving adore like")
# Phrases that start the request inside a longer sentence ("... and I was wondering if you could ...").
ASK_PHRASES: tuple[str, ...] = (
    "could you", "can you", "would you", "will you", "i was wondering", "i was hoping", "please",
    "is there any way", "would it be possible", "she wants", "he wants", "they want", "she would like",
    "he would like", "they would like", "i want", "i would like", "we want", "we would like", "i need",
)
# A statement with these (and no "too", "not", "but") is praise or small talk, never an edit request.
PRAISE = _words("cute adorable sweet funny love loving adore nice great good beautiful lovely perfect fine amazing "
                "awesome gorgeous pretty wonderful fantastic "
                "stunning cool")
GENERIC_VERBS = _words("edit modify change fix retouch process enhance improve")
# Whole-image geometry and other media: not edits the planner's categories cover ("rotate it 90 degrees").
GEOMETRY_VERBS = _words("rotate flip mirror resize crop scale upscale downscale compress")
OTHER_MEDIA = _words("gif video mp4 slideshow")
GENERIC_MEDIA = _words("photos images pictures pics photographs stuff things selfies")
# Clause-level connectives: a clause break in the middle of a sentence ("..., then ...").
THEN_WORDS: tuple[tuple[str, ...], ...] = (
    ("and", "then"), ("and", "after", "that"), ("after", "that"), ("and", "afterwards"), ("afterwards",),
    ("then",), ("and", "finally"), ("finally",), ("and", "next"), ("and", "also"), ("plus",), ("also",),
)
LEADING_ORDER = _words("first firstly second secondly third lastly next also finally")

# --- not an edit ---------------------------------------------------------------------------------
QUESTION_WORDS = _words("what which who whom whose where when why how")
EDIT_QUESTIONS: tuple[tuple[str, ...], ...] = (  # wh-questions that ask for an edit
    ("what", "if"), ("how", "about"), ("what", "about"), ("what", "would"), ("how", "would"),
    ("what", "will"), ("how", "will"), ("what", "could"), ("how", "could"), ("what", "does", "it", "look"),
    ("how", "does", "it", "look"),
)
YES_NO_OPENERS = _words("is are was were does do did has have am")
PERCEIVE = _words("see spot find notice detect recognize recognise identify count")
NON_EDIT_VERBS = _words(
    "tell describe explain save print share translate rate count identify name find search upload "
    "download email post export exit quit help say list answer guess know think recognize recognise "
    "caption summarize summarise analyze analyse compare read recommend suggest animate"
)
SHORT_WORDS = _words(  # short real words the typo repair must never touch
    "a an the it is be to of on in at as by or and but if so no not do go up my me we us he she his her "
    "its our you your i am are was see set put get let add cut dye mix fix tan hat cap cat dog car sun "
    "sky man men boy toy bag box cup mug pot pan jar bed map pen key ice egg eye ear arm leg lip red "
    "tan mat rug fan owl fox cow pig hen bee ant bat bus van jet"
)
# Verbs the typo repair may map a misspelled word onto, by length (short words need an exact-length match).
SHORT_VERB_TARGETS: tuple[str, ...] = ("add", "make", "put", "set", "turn", "give", "move", "swap", "blur", "erase",
                                      "paint", "place", "hide", "drop")

# --- conversation ---------------------------------------------------------------------------------
UNDO_CLAUSES: tuple[tuple[str, ...], ...] = (
    ("undo",), ("undo", "that"), ("undo", "it"), ("undo", "this"), ("undo", "the", "last", "edit"),
    ("undo", "the", "last", "change"), ("undo", "the", "last", "step"), ("go", "back"), ("revert",),
    ("revert", "that"), ("revert", "it"), ("scrap", "that"), ("forget", "that"), ("cancel", "that"),
    ("scratch", "that"), ("never", "mind"), ("nevermind",), ("nope", "not", "that"), ("ditch", "that"),
    ("lose", "that"), ("that", "is", "not", "it"), ("that", "is", "not", "what", "i", "wanted"),
    ("take", "that", "back"), ("roll", "back"), ("roll", "that", "back"), ("no",), ("nope",), ("no", "wait"), ("nah",),
    ("wait",), ("no", "no"), ("not", "that"), ("that", "is", "wrong"), ("that", "is", "not", "right"),
    ("put", "it", "back"), ("bring", "it", "back"), ("put", "them", "back"), ("bring", "them", "back"),
    ("not",), ("change", "it", "back"), ("change", "that", "back"), ("change", "them", "back"), ("turn", "it", "back"),
    ("make", "it", "like", "before"), ("back", "to", "how", "it", "was"), ("restore", "it"),
)
CORRECTION_LEADS: tuple[tuple[str, ...], ...] = (
    ("i", "meant"), ("i", "mean"), ("i", "said"), ("i", "wanted"), ("make", "that"), ("rather",), ("more", "of"),
)
# Openers of a reply that corrects the last edit ("actually a mountain", "hmm, a darker green").
ALTERNATIVE_OPENERS = _words("actually hmm hm nah maybe rather perhaps")
# Tails that say the words before them are the wanted alternative ("blue would be better").
ALTERNATIVE_TAILS: tuple[tuple[str, ...], ...] = (
    ("would", "be", "better"), ("would", "look", "better"), ("would", "be", "nicer"), ("might", "be", "better"),
    ("is", "better"), ("looks", "better"), ("would", "work", "better"), ("would", "be", "best"),
    ("could", "be", "better"), ("is", "what", "i", "want"), ("is", "what", "i", "meant"),
)
ALTERNATIVE_LEADS: tuple[tuple[str, ...], ...] = (("what", "about"), ("how", "about"), ("try",), ("use",))
REPEAT_CLAUSES: tuple[tuple[str, ...], ...] = (
    ("again",), ("do", "it", "again"), ("do", "that", "again"), ("once", "more"), ("one", "more", "time"),
    ("repeat",), ("repeat", "that"), ("repeat", "it"), ("same", "again"), ("do", "that", "once", "more"),
)
RETRY_CLAUSES: tuple[tuple[str, ...], ...] = (
    ("try", "again"), ("try", "that", "again"), ("try", "it", "again"), ("retry",), ("redo",),
    ("redo", "it"), ("redo", "that"), ("give", "it", "another", "try"), ("another", "try"),
)
SAME_LEADS: tuple[tuple[str, ...], ...] = (
    ("do", "the", "same", "thing", "to"), ("do", "the", "same", "thing", "for"), ("do", "that", "to"),
    ("do", "that", "for"), ("do", "this", "to"), ("do", "it", "to"), ("apply", "that", "to"), ("apply", "it", "to"),
    ("do", "the", "same", "thing", "with"), ("do", "the", "same", "to"), ("do", "the", "same", "for"),
    ("do", "the", "same", "with"), ("the", "same", "for"), ("the", "same", "to"), ("same", "for"),
    ("same", "to"), ("same", "with"), ("same", "thing", "for"), ("same", "thing", "to"), ("now",), ("and",),
    ("also",), ("what", "about"), ("how", "about"), ("do",),
)
# Words of "now do the same on the chair" / "and to the woman": the place of a repeated addition.
SAME_PREPS = _words("to on for with onto in at")
SAME_VERBS = _words("apply use do give paint make try")  # "apply the same color to the mailbox"
# Positions and sizes that pick one of several: "the left one", "the bigger one".
POSITION_WORDS = _words(
    "left right middle center front back top bottom near far closest nearest farthest furthest upper lower "
    "leftmost rightmost big small bigger smaller biggest smallest tall taller tallest short shorter other "
    "second first last third front-most background foreground"
)
SAME_TAILS: tuple[tuple[str, ...], ...] = (("too",), ("as", "well"), ("also",), ("aswell",))
# "bigger", "a bit more": the size or strength of the last edit, on its object.
COMPARATIVES = _words(
    "bigger larger smaller tinier taller shorter wider narrower longer thicker thinner higher lower "
    "bolder lighter darker brighter stronger weaker fainter"
)
TONE_COMPARATIVES = _words("lighter darker brighter bolder stronger weaker fainter")  # adjustments, not sizes
# The words around "make it bigger" that name no object: with only these and a size, 'it' is the picture.
RESIZE_FILLER = _words("make it now a bit little lot much even way slightly somewhat please pls can you could "
                       "would the picture image photo this that again")
MORE_WORDS = _words("more stronger further intense intenser")
LESS_WORDS = _words("less weaker subtler fewer")
# "too big" -> the change that fixes it, on the last object.
TOO_OPPOSITE: dict[str, str] = {"big": "smaller", "large": "smaller", "huge": "smaller", "small": "bigger",
                                "tiny": "bigger", "long": "shorter", "short": "longer", "tall": "shorter",
                                "wide": "narrower", "thin": "thicker", "thick": "thinner", "high": "lower",
                                "low": "higher", "fat": "thinner", "narrow": "wider"}
MORE_PHRASES: tuple[tuple[str, ...], ...] = (("not", "enough"), ("not", "strong", "enough"), ("still", "not", "enough"))
# Genders of the person words: "him" / "he" never stand for these, "her" / "she" never for MALE_WORDS.
FEMALE_WORDS = _words("woman women girl girls lady ladies sister mother mom mum wife daughter grandma grandmother "
                      "bride queen princess aunt niece actress waitress")
MALE_WORDS = _words("man men boy boys guy gentleman brother father dad husband son grandpa grandfather groom king "
                    "prince uncle nephew actor waiter")
TOO_MUCH: tuple[tuple[str, ...], ...] = (("too", "much"), ("not", "so", "much"), ("too", "strong"),
                                         ("a", "bit", "much"), ("overdone",), ("tone", "it", "down"),
                                         ("tone", "that", "down"), ("tone", "down"), ("dial", "it", "back"),
                                         ("dial", "it", "down"), ("dial", "back"))
OTHER_ONE: tuple[tuple[str, ...], ...] = (("the", "other", "one"), ("the", "other"), ("other", "one"))
ANOTHER_ONE: tuple[tuple[str, ...], ...] = (("another", "one"), ("one", "more"), ("the", "same", "one"),
                                           ("same", "one"), ("another",))
ORDINALS: dict[str, int] = {"first": 0, "second": 1, "third": 2, "last": -1, "new": -1, "latest": -1,
                            "original": 0}
NUMBER_WORDS: dict[str, int] = {"two": 2, "three": 3, "four": 4, "five": 5, "few": 3, "several": 3,
                                "couple": 2}
# Global cues that also describe an object ("make it darker" after "make the car blue" means the car).
AMBIGUOUS_CUES = _words("brighter darker brighten darken contrast vibrant colorful saturated desaturated warmer "
                        "cooler light lighting filter tone")
PLURAL_PRONOUNS = _words("them they these those both")
SINGULAR_PRONOUNS = _words("it that this")
# Parts of the frame, not objects in it: "move the lamp to the left" names no thing "it" could be.
FRAME_PARTS = _words("left right top bottom middle center centre corner front back side edge")
# Participles of where a thing is: "the picture hanging above the bed".
POSITION_VERBS = _words("hanging sitting standing leaning lying resting mounted hung placed propped")
PERSON_WORDS = _words(
    "man woman boy girl kid child baby person guy lady gentleman sister brother mother father mom dad "
    "son daughter wife husband grandma grandpa grandmother grandfather friend bride groom chef teacher "
    "player people men women kids children couple family dog cat horse bird skier surfer runner cyclist biker "
    "rider hiker climber swimmer dancer singer tourist tourists photographer worker farmer driver cook waiter "
    "waitress nurse doctor student soldier officer firefighter pilot sailor fisherman athlete skater "
    "skateboarder snowboarder jogger golfer boxer musician guitarist drummer painter artist model cousin aunt "
    "uncle niece nephew grandson granddaughter toddler teenager teen photobomber stranger"
)

HUMANS = PERSON_WORDS - _words("dog cat horse bird")  # not "it"

# --- photometric operations -------------------------------------------------------------------------
# word -> (operation, sign); sign 0 = a neutral name of the quantity ("contrast"), direction from context.
OP_WORDS: dict[str, tuple[str, int]] = {
    "brighter": ("brightness", 1), "brighten": ("brightness", 1), "lighten": ("brightness", 1),
    "lighter": ("brightness", 1), "bright": ("brightness", 1), "brightness": ("brightness", 0),
    "exposure": ("brightness", 0), "darker": ("brightness", -1), "darken": ("brightness", -1),
    "dim": ("brightness", -1), "dimmer": ("brightness", -1), "dark": ("brightness", -1),
    "underexposed": ("brightness", 1), "overexposed": ("brightness", -1),
    "contrast": ("contrast", 0), "contrasty": ("contrast", 1), "punchy": ("contrast", 1),
    "punchier": ("contrast", 1), "flat": ("contrast", -1), "flatter": ("contrast", -1),
    "saturation": ("saturation", 0), "saturated": ("saturation", 1), "saturate": ("saturation", 1),
    "desaturate": ("saturation", -1), "desaturated": ("saturation", -1), "vibrant": ("saturation", 1),
    "vivid": ("saturation", 1), "colorful": ("saturation", 1), "colourful": ("saturation", 1),
    "pop": ("saturation", 1), "muted": ("saturation", -1), "mute": ("saturation", -1),
    "duller": ("saturation", -1), "dull": ("saturation", -1), "richer": ("saturation", 1),
    "vibrance": ("saturation", 0),
    "warmer": ("warmth", 1), "warm": ("warmth", 1), "warmth": ("warmth", 0), "cooler": ("warmth", -1),
    "cool": ("warmth", -1), "colder": ("warmth", -1), "cold": ("warmth", -1), "bluer": ("warmth", -1),
    "temperature": ("warmth", 0),
    "sharper": ("sharpness", 1), "sharpen": ("sharpness", 1), "sharp": ("sharpness", 1),
    "crisp": ("sharpness", 1), "crisper": ("sharpness", 1), "sharpness": ("sharpness", 0),
    "unblur": ("sharpness", 1), "deblur": ("sharpness", 1), "detail": ("sharpness", 0),
    "softer": ("sharpness", -1), "soften": ("sharpness", -1), "soft": ("sharpness", -1),
    "blurrier": ("sharpness", -1), "blurry": ("sharpness", -1), "blur": ("sharpness", -1),
    "blurred": ("sharpness", -1), "blurring": ("sharpness", -1),
    "grayscale": ("grayscale", 1), "greyscale": ("grayscale", 1), "monochrome": ("grayscale", 1),
    "monochromatic": ("grayscale", 1), "black-and-white": ("grayscale", 1), "bw": ("grayscale", 1),
    "colorless": ("grayscale", 1), "colourless": ("grayscale", 1),
    "sepia": ("sepia", 1), "sepia-toned": ("sepia", 1),
    "vintage": ("vintage", 1), "retro": ("vintage", 1), "old-fashioned": ("vintage", 1),
    "faded": ("vintage", 1), "old-timey": ("vintage", 1), "lights": ("brightness", 0),
    "bokeh": ("background_blur", 1), "defocus": ("background_blur", 1), "defocused": ("background_blur", 1),
}
OP_PHRASES: dict[tuple[str, ...], str] = {  # replaced by one OP_WORDS token before the scan
    ("black", "and", "white"): "black-and-white", ("black", "&", "white"): "black-and-white",
    ("b", "and", "w"): "black-and-white", ("gray", "scale"): "grayscale", ("no", "color"): "colorless",
    ("no", "colors"): "colorless", ("without", "color"): "colorless", ("remove", "the", "color"): "colorless",
    ("remove", "the", "colors"): "colorless", ("remove", "color"): "colorless",
    ("old", "fashioned"): "old-fashioned", ("old", "photo"): "vintage", ("old", "photograph"): "vintage",
    ("out", "of", "focus"): "defocused", ("depth", "of", "field"): "bokeh", ("portrait", "mode"): "bokeh",
    ("in", "focus"): "sharp", ("washed", "out"): "muted", ("less", "blurry"): "unblur",
    ("white", "balance"): "temperature",
}
# Plain adjectives name an operation only with a verb, a direction or an intensity ("cool photo" is praise,
# "make it cool" / "a bit cooler" are requests); comparatives, verbs and style words stand alone.
OP_PLAIN_ADJECTIVES = _words("cool warm cold dark bright soft sharp dull flat vivid vibrant crisp muted faded "
                             "colorful colourful punchy saturated")
OP_VERBS = _words("make turn set give apply add change convert render adjust fix correct tone tune put get")
BLUR_OPS = _words("blur blurry blurred blurring blurrier soft softer soften")  # on the background: background_blur
UP_WORDS = _words("more increase increased boost raise higher enhance intensify heighten amplify add "
                  "stronger up extra crank pump maximum max bump")
DOWN_WORDS = _words("less decrease reduce reduced lower cut drop diminish weaken minimize down tame "
                    "fewer weaker remove")
SMALL_WORDS = _words("bit little slightly slight somewhat touch tad subtle subtly mildly gently barely "
                     "hint smidge")
LARGE_WORDS = _words("much lot lots alot very really way heavily strongly significantly considerably "
                     "dramatically massively extremely super totally completely fully 2x 3x twice double")
# Words a purely photometric clause may contain besides operations, directions and intensities.
OP_NEUTRAL = _words(
    "make turn set give apply add change convert render adjust fix correct tone tune put it this that "
    "the a an image photo photograph picture pic shot whole entire overall scene everything all colors "
    "colours color colour tones tint look looks feel effect filter style version mode into to in with of "
    "and please is be should would could can so up down levels level lighting light lights its is are "
    "too bit little lot some even slightly shallow make me my our just also now then quite rather "
    "kind sort more less much way very really filtered toned tone treatment finish edit overall more "
    "increase decrease boost lower reduce raise enhance cut drop as like looking feels feel gets get "
    "go was were will do done version slightly using use mood vibe appearance thing whole kinda quite out "
    "what whatever needs need has got stuff things i we want wanted prefer love area them those these still"
)
BACKGROUND_SCOPE = _words("background backdrop backgrounds surroundings behind except rest bg but around else "
                          "apart from other than")
OP_BASE: dict[str, float] = {"brightness": 0.4, "contrast": 0.4, "saturation": 0.4, "warmth": 0.4,
                             "sharpness": 0.4, "grayscale": 1.0, "sepia": 0.8, "vintage": 0.7,
                             "background_blur": 0.6}
