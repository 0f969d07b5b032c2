"""Word lists for the rules planner (engine/planners/rules.py).

Plain frozensets and dicts, no logic: the grammar lives in rules.py. Words are lowercase.
"""
from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Leading phrases that carry politeness, not meaning ("could you please", "let's", ...).
POLITE_PREFIXES: tuple[str, ...] = (
    "could you please", "can you please", "would you please", "will you please", "could you",
    "can you", "would you", "will you", "would you mind", "it would be nice if",
    "it would be great if", "it would be cool if", "it would be nice to", "it would be great to",
    "make sure that", "make sure", "i think that", "i think", "i feel like", "i guess",
    "i wonder what it would look like if", "do you think that", "do you think", "show me",
    "give me", "i wonder if you could", "is it possible to", "would it be possible to",
    "could it be possible to", "is there a way to", "do you think you could",
    "would you be able to", "are you able to", "why do not you", "why not", "how about you",
    "how about we", "i would like it if you", "could we", "can we", "shall we", "should we",
    "may we", "could i", "can i", "please", "kindly", "i would like you to", "i'd like you to",
    "i want you to", "i need you to", "i wish you would", "let us", "let's", "lets", "go ahead and",
    "try to", "help me", "now", "ok", "okay", "hey", "hi", "so", "just", "also", "then", "and",
    "maybe", "perhaps", "i think we should", "we should", "you should", "you can", "i want to",
    "i'd like to", "i would like to", "simply", "quickly", "edit the image to", "edit the photo to",
    "edit this image to", "in this image", "in the image", "in this photo", "in the photo",
    "in the picture", "for this image", "for this photo", "oh", "um", "uh", "well", "alright", "actually",
    "right", "and please", "also please", "ugh", "meh", "hmm", "hm", "um", "uh", "er", "erm", "omg", "lol", "tbh",
    "ngl", "imo", "idk", "pls", "yeah so", "ok so", "argh", "honestly", "yo", "sup", "hiya",
    "basically", "so basically", "yeah", "so yeah", "anyway", "anyways", "btw", "literally",
    "seriously", "i was wondering if you could", "i was wondering if", "i was wondering whether you could",
    "i was hoping you could", "i was hoping to", "i am hoping you can", "i am hoping you could",
    "is there any way you could", "is there any way to", "is there a way you could", "any way you could",
    "is it possible for you to", "would it be possible for you to", "i would love it if you could",
    "i would love it if you would", "i would appreciate it if you could", "would you kindly", "first things first",
    "first of all", "to start", "for starters", "if you could", "if you can", "could you maybe", "can you maybe",
    "wondering if you could", "do you mind", "only", "just only", "i reckon", "i suppose", "i believe",
    "i bet", "personally", "i feel that", "in my opinion", "possibly", "real quick", "please just", "but",
    "you ought to", "ought to", "you got to", "you have to", "you need to", "you must", "we need to",
    "we have to", "we got to", "we ought to", "i need to", "i have to", "let me see", "let me", "lets see",
    "let us see", "you could", "you can just", "you might want to", "maybe you could", "can you just",
    "could you just", "would you just", "definitely", "totally", "absolutely", "really", "kinda", "sorta",
    "got to", "need to", "have to", "someone please", "somebody please", "can someone", "could someone",
    "can somebody", "could somebody", "can anyone", "could anyone", "someone", "somebody", "it would be fun to",
    "it would be fun if", "it would be awesome if", "it would be awesome to", "it would be cute if", "it would be cute to",
    "it would be neat if", "it would be neat to", "it would be lovely if", "it would be lovely to",
    "can you do me a favor and", "could you do me a favor and", "do me a favor and", "would you be so kind as to",
    "could you be so kind as to", "be so kind as to", "would you kindly",
)

# Short or frequent misspellings of the words the grammar keys on.
TYPOS: dict[str, str] = {
    "ad": "add", "adde": "add", "addd": "add", "rmove": "remove", "remvoe": "remove", "reomve": "remove",
    "delet": "delete", "chnage": "change", "chage": "change", "chnge": "change", "cahnge": "change",
    "chang": "change", "replcae": "replace", "repalce": "replace", "backgroud": "background",
    "backround": "background", "bakground": "background", "backgorund": "background", "whith": "with",
    "teh": "the", "hte": "the", "th": "the", "colour": "color", "colours": "colors", "grey": "gray",
    "dont": "do not", "don't": "do not", "doesn't": "does not", "doesnt": "does not",
    "wasn't": "was not", "wasnt": "was not", "weren't": "were not", "werent": "were not",
    "isn't": "is not", "isnt": "is not", "aren't": "are not", "shouldn't": "should not",
    "shouldnt": "should not", "can't": "can not", "cannot": "can not", "won't": "will not",
    "i'd": "i would", "id": "i would", "it's": "it is", "there's": "there is", "what's": "what is",
    "i'm": "i am", "that's": "that is", "who's": "who is", "he's": "he is", "she's": "she is",
    "they're": "they are", "we're": "we are", "you're": "you are", "here's": "here is",
    "where's": "where is", "which's": "which is", "u": "you", "ur": "your", "pls": "please",
    "plz": "please", "pic": "picture", "rm": "remove", "bg": "background", "thx": "thanks",
    "theres": "there is", "heres": "here is", "wheres": "where is", "whats": "what is", "thats": "that is",
    "we'd": "we would", "you'd": "you would", "wouldn't": "would not",
    "ppl": "people", "n": "and", "stylise": "stylize", "stylised": "stylized", "colourise": "colorize",
    "colorise": "colorize", "recolour": "recolor", "recoloured": "recolored", "centre": "center",
    "mum": "mom", "tyre": "tire", "tyres": "tires", "aeroplane": "airplane", "cartoonise": "cartoonize",
    "cartoonify": "cartoonize", "blurr": "blur", "thnx": "thanks", "gonna": "going to", "wanna": "want to",
    "coud": "could", "cna": "can", "yu": "you", "bkg": "background", "bnw": "black and white",
    "it'd": "it would", "that'd": "that would", "there'd": "there would", "they'd": "they would",
    "she'd": "she would", "he'd": "he would", "it'll": "it will", "that'll": "that will", "i'll": "i will",
    "you'll": "you will", "we'll": "we will", "they'll": "they will", "i've": "i have", "you've": "you have",
    "we've": "we have", "they've": "they have", "could've": "could have", "would've": "would have",
    "should've": "should have", "didn't": "did not", "didnt": "did not", "couldn't": "could not",
    "couldnt": "could not", "haven't": "have not", "hasn't": "has not", "hadn't": "had not",
    "mustn't": "must not", "ain't": "is not", "im": "i am", "ive": "i have", "itll": "it will",
    # spoken forms: "you oughta remove it", "lemme see", "could ya"
    "oughta": "ought to", "gotta": "got to", "hafta": "have to", "hasta": "has to", "lemme": "let me",
    "gimme": "give me", "ya": "you", "yah": "you", "y'all": "you", "yall": "you", "tryna": "trying to",
    "lotta": "lot of", "outta": "out of", "shoulda": "should have", "coulda": "could have", "woulda": "would have",
    "cuz": "because", "coz": "because", "cos": "because", "prolly": "probably", "rly": "really", "sth": "something",
    "pic's": "picture is", "photo's": "photo is", "plese": "please", "pleas": "please", "pleae": "please",
    "plis": "please", "pleez": "please", "rmv": "remove", "remv": "remove", "ot": "to", "fo": "of", "em": "them", "'em": "them",
}

# Words the fuzzy typo fixer may map an unknown word onto (verbs and section words).
FUZZY_TARGETS: tuple[str, ...] = (
    "remove", "delete", "erase", "eliminate", "change", "replace", "transform", "convert", "insert",
    "background", "backdrop", "disappear", "include", "instead", "switch", "scenery", "blur", "brighten",
    "darken", "sharpen", "saturate", "desaturate", "colorize",
)
NOT_TYPOS = _words("remote charge range hinge chance ranger mover remover drove devote")

ARTICLES = _words("a an the")
INDEFINITE = _words("a an some another one two three four five few several many lots more extra")
DEFINITE = _words("the this that these those his her their its my our your")
QUANTIFIERS = _words("all every each both any other of pair")
DETERMINERS = ARTICLES | INDEFINITE | DEFINITE | QUANTIFIERS
PRONOUNS: dict[str, str] = {
    "it": "", "this": "", "that": "", "them": "", "they": "", "these": "", "those": "",
    "him": "man", "he": "man", "her": "woman", "she": "woman", "me": "person", "us": "people",
}

# Words that end a noun phrase.
NP_STOPS = _words(
    "to into with for from on in at by near next above below over under underneath behind around "
    "off out onto across along through against beside besides between inside outside as like "
    "instead so that which who whom where and or but then while because please is are was were be am "
    "been being should would could can will must may might has have had do does did not no look "
    "needs need wants want gets got ought somewhere anywhere everywhere "
    "looks appear appears seem seems too very really now again away there here if than using "
    "toward towards up down within without alone unchanged untouched intact even much slightly somewhat you"
) | frozenset()  # extended below with HEDGE_ADVERBS
# Adverbs of talk ("the lamp kinda ruins it", "the tourists totally ruined it"): never part of a noun phrase.
HEDGE_ADVERBS = _words(
    "kinda sorta totally literally absolutely completely seriously definitely honestly basically actually "
    "probably maybe perhaps just still already also always truly utterly simply somehow exactly precisely "
    "entirely fully perfectly anymore either though tho anyway"
)
NP_STOPS = NP_STOPS | HEDGE_ADVERBS | {"both", "each", "except"}  # "the twins both need ...", "all but the ..."
# Nouns that take an "of" complement that belongs to the noun phrase ("a vase of flowers").
CONTAINERS = _words(
    "cup bowl vase glass bottle pile stack plate box bouquet basket slice piece jar pot bag can mug "
    "loaf bucket tray line field sea crowd carton jug spoonful time"
)
# Collective nouns that stand for their "of" complement: "a bunch of balloons" -> balloons.
COLLECTIVES = _words(
    "bunch flock herd group swarm pack school pair set row cluster couple handful lot lots number "
    "dozen few bit string strand ton tons load loads heap heaps"
)
# Nouns that name an attribute of the real target ("the color of the bird" -> bird).
ATTRIBUTES = _words(
    "color shade hue texture material pattern size shape expression surface pose posture action position"
)

# Verbs of a clause inside a causative ("make the man SMILE") or after a subject.
CLAUSE_VERBS = _words(
    "smile smiling laugh laughing cry crying frown wink sleep sleeping look looking wear wearing "
    "hold holding have having sit sitting stand standing walk walking run running play playing lie "
    "lying gallop galloping swim swimming ride riding dance dancing pose posing float floating fly "
    "flying jump jumping disappear vanish go gone appear become turn grow eat eating drink read open "
    "close hug wave sing perched sport sporting carry carrying seem get take put wore held dressed "
    "relax relaxing stay live living rest resting kneel kneeling lay laying climb climbing skate "
    "skating surf surfing hide hiding match matching"
) | frozenset()  # extended below with MOTION_VERBS
WEAR_VERBS = _words(
    "wear wearing wore have having hold holding carry carrying sport sporting put dressed eat eating "
    "drink drinking read reading ride riding hug hugging use using catch catching throw throwing kick "
    "kicking chase chasing blow blowing feed feeding pet petting push pushing pull pulling kiss "
    "kissing play playing"
)
# Body attributes: "give the girl red hair" changes the girl (local), it adds nothing.
BODY_ATTRS = _words("hair eyes eye skin lips fur nails complexion tan face makeup mane feathers")
# Parts of the body a subject moves ("make them hold hands", "raise its paw"): the subject changes, nothing is added.
BODY_PARTS = _words("hand hands arm arms leg legs foot feet head paw paws tail wings fist fists thumb thumbs")
# Bare verbs of what a subject does somewhere: "have the singer PERFORM on a stage".
MOTION_VERBS = _words(
    "perform sing jump sleep sunbathe ski hike graze paddle wander stroll march parade roam hover "
    "soar race drive sail explore camp picnic bask lounge wade fish chill nap read work study eat "
    "travel fly swim dive splash skate surf climb crawl hop prance trot gallop jog sprint stretch"
)
CLAUSE_VERBS = CLAUSE_VERBS | MOTION_VERBS
POSTURE_VERBS = MOTION_VERBS | _words(
    "sit sitting stand standing walk walking run running play playing lie lying gallop galloping "
    "swim swimming ride riding dance dancing pose posing float floating fly flying be appear perched "
    "relax relaxing stay live living rest resting kneel kneeling lay laying climb climbing skate "
    "skating surf surfing hiking hike located placed set sat stood lived walked swam ran played rode "
    "danced flew lay leaning lean leans parked"
)
# Past forms that end the noun phrase before them ("the dog ran into the shot").
PAST_VERBS = _words("ran came went took sat stood fell flew swam drove rode ate drank threw caught broke wore held "
                    "left saw found gave brought bought jumped walked blinked moved drew wrote stuck hung spilt")
GONE_WORDS = _words("disappear disappears vanish vanishes gone removed deleted erased missing absent cropped "
                    "photoshopped airbrushed")
EXPRESSIONS = _words("smile frown grin expression smirk scowl")
LOCATIVE_PREPS = _words(
    "in on at inside under underneath near beside behind atop amid among onto through across along into "
    "against over above"
)

REMOVE_VERBS = _words(
    "remove delete erase eliminate lose ditch wipe scrub crop cut hide omit exclude subtract "
    "extract strip drop clear rid kill nuke scrap trash zap banish shave pluck chop tear mow bin axe nix yeet dump"
)
ADD_VERBS = _words(
    "add insert include plant build hang lean lay draw attach create introduce spawn generate "
    "sprinkle stick install paste insert position throw bring scatter hoist grow raise pour spill stack "
    "pile glue pin mount erect construct sketch doodle write carve overlay superimpose drape sow summon "
    "conjure release launch string"
)
PLACE_VERBS = _words(
    "put place set position sit stand show drop park seat perch pose float sail drive land fly walk pop photoshop "
    "slap plop chuck whack bung"
)
MOVE_VERBS = _words("move transport relocate send teleport transfer")
CHANGE_VERBS = _words(
    "change replace swap switch turn transform convert make paint color recolor dye render alter "
    "modify edit adjust update restyle stylize redo morph tint shade substitute exchange trade open close "
    "shut light extinguish fold unfold lift shift nudge slide tilt rotate flip mirror resize enlarge shrink scale "
    "tidy neaten straighten"
)
CAUSATIVE_VERBS = _words("make have let get")
GLOBAL_VERBS = _words(
    "brighten darken lighten increase decrease boost reduce enhance saturate desaturate sharpen "
    "apply warm cool age colorize improve"
)

# Noun phrases that mean the whole picture (-> global) or its background (-> background).
GLOBAL_SUBJECTS = _words(
    "it this that image photo photograph picture pic scene everything whole entire world weather "
    "season lighting light colors color contrast brightness saturation exposure tone tones mood "
    "atmosphere style look filter effect time day daytime vibe feel overall all quality resolution clarity shot "
    "snapshot"
)
GLOBAL_LOOKS = _words(
    "filter tone tones effect look style vibe feel aesthetic finish grain glow vignette tint hue "
    "lighting makeover treatment mood atmosphere blur haze bokeh noise grade grading"
)
# Nouns given to an object that change its look: "give the walls a fresh coat of paint" is local.
GIVE_ATTRS = GLOBAL_LOOKS | _words(
    "coat paint color haircut hairstyle tan shine polish pattern texture paintjob mohawk perm mullet "
    "ponytail braids bun"
)
# Weather added without a place ("add some fog") changes the whole image.
WEATHER = _words("rain fog mist haze snow snowfall drizzle storm thunderstorm sunshine sunlight sunbeams")
BACKGROUND_WORDS = _words(
    "background backdrop backround scenery setting surroundings environment location backgrounds"
)
# What is kept without being named: "keep the foreground and replace the rest".
UNNAMED_SUBJECTS = _words("foreground subject subjects")
SCENE_WORDS = _words("scene scenery setting view landscape area everything stuff space part")

GLOBAL_PHRASES: tuple[str, ...] = (
    "black and white", "van gogh", "oil painting", "time of day", "golden hour", "pop art", "film noir",
    "studio ghibli", "pencil drawing", "old photo", "old photograph",
)
# Words that signal a whole-image edit when no specific object is named.
GLOBAL_CUES = _words(
    "winter summer autumn fall spring springtime wintertime summertime night nighttime midnight "
    "daytime sunset sunrise dawn dusk evening morning twilight snowy snowing rainy raining foggy "
    "misty stormy sunny cloudy overcast painting painted watercolor watercolour oil sketch drawing "
    "cartoon cartoonish anime style vintage retro sepia grayscale monochrome gogh monet picasso "
    "pixar ghibli cyberpunk mosaic lego minecraft pixel comic polaroid hdr cinematic brighter darker "
    "brighten darken contrast vibrant colorful saturated desaturated warmer cooler dreamy dream "
    "renaissance impressionist impressionism ukiyo-e 1920s 1950s 80s 90s noir film photograph "
    "black-and-white bw pastel neon surreal futuristic steampunk disney sketchy charcoal crayon "
    "etching engraving cubist cubism baroque lighting light filter tone hazy gloomy snow rain fog "
    "mist storm thunderstorm blizzard grayscale greyscale"
)

COLORS = _words(
    "red orange yellow green blue purple pink brown black white gray grey gold golden silver beige "
    "navy teal cyan magenta violet turquoise maroon crimson blonde blond brunette bronze copper "
    "lavender indigo scarlet ivory cream khaki olive lime aqua rainbow colorful transparent mustard burgundy "
    "coral salmon mint emerald ruby sapphire charcoal fuchsia ochre taupe mauve lilac periwinkle cobalt azure "
    "amber tangerine chartreuse cerulean vermilion"
)
# Nouns that shade the colour after them ("mustard yellow", "sky blue"): the pair is the colour, not the object.
SHADE_NOUNS = _words(
    "mustard sky baby royal navy forest bottle lime mint cherry blood fire sea ocean midnight electric hot pastel "
    "neon lemon canary emerald jade ruby steel slate charcoal ash rose salmon coral peach chocolate wine plum rust "
    "sand ice jet pitch snow bone army olive hunter kelly candy bubblegum powder dusty burnt apple grass moss "
    "brick pearl champagne cream lavender pine teal turquoise sage"
)
# What "clean up" keeps and changes ("clean up the floor"; "clean up the trash" removes the trash).
CLEANABLE = _words("floor floors table desk counter countertop window windows wall walls car shoes carpet rug mirror "
                   "screen glass lens room kitchen bathroom bedroom yard street sidewalk beach face")
# Warmth words dropped from what a container holds ("a mug of hot cocoa" -> mug of cocoa), kept elsewhere
# ("hot air balloon").
INCIDENTAL_AFTER_OF = _words("hot warm cold iced chilled steaming")
# Adjectives of size, temperature, age or praise that the object's name does not need ("a steaming bowl of
# soup" -> bowl of soup, "a little wooden cabin" -> wooden cabin); colours and materials stay.
INCIDENTAL = _words(
    "little tiny small smaller big bigger large larger huge giant enormous massive gigantic steaming cold "
    "chilled iced warm cute adorable pretty lovely beautiful nice gorgeous fancy cool sweet mini miniature "
    "extra-large oversized teeny itty-bitty fresh tall short long old new cozy cosy comfy colorful shiny sparkling "
    "gleaming brand-new old-fashioned matching lil ol ole"
)
ADJECTIVES = _words(
    "big bigger biggest small smaller large larger tiny huge giant old older young younger happy "
    "happier sad sadder angry tall taller short shorter long longer fat thin thinner bald curly "
    "straight wet dry shiny metallic wooden rusty new clean dirty broken fluffy furry striped "
    "spotted plaid leather glass marble brass plastic metal stone ice frozen cute scary evil bright "
    "dark pale tanned muscular hairy wrinkled futuristic medieval modern antique rustic neon "
    "glowing sparkly fancy elegant messy tidy spooky creepy robotic mechanical cartoonish realistic "
    "chocolate vanilla strawberry polka-dotted checkered floral fiery icy wooly woolen knitted "
    "velvet silk denim cotton crystal diamond pixelated blurry sharp smooth rough bare empty full "
    "ripe rotten cooked raw burnt melted asleep awake surprised scared excited bored tired matte glossy "
    "light deep dull vivid faded upside upside-down inside-out warm cool cold hot calm clear quiet loud "
    "soft hard strong weak rich poor cheap fresh neat wild fast slow high low wide narrow thick tight "
    "loose fair sweet plain simple green thick strange calm stormy sunny pure solid pitch jet"
)
ADJ_SUFFIXES: tuple[str, ...] = ("er", "est", "ful", "ish", "ous", "ive", "less", "en", "ic", "ed", "y")
# Nouns that end like an adjective in -y or -en ("party hats", "the jelly sandwich", "a kitten"): never adjectives.
NOUN_LOOKALIKES = _words(
    "kitten kittens chicken chickens garden gardens children queen queens women heaven token mitten mittens "
    "siren raven kitchen eleven seven"
) | _words(
    "party jelly candy teddy daisy pony puppy kitty berry cherry lily baby body city country lady army navy "
    "family pastry factory jersey trolley monkey turkey donkey jockey hockey whiskey honey money alley valley "
    "chimney journey balcony canopy pharmacy library strawberry blueberry raspberry gravy curry hobby lobby "
    "diary dairy fairy jury penny buggy bunny granny nanny daddy mommy jetty pantry poppy lorry galaxy "
    "salary story melody colony symphony tapestry trophy puppy guppy kidney pigeon gypsy husky"
)
NOUN_ING = _words(
    "ring rings earring earrings building buildings painting paintings king wing wings swing string "
    "thing things ceiling evening pudding wedding clothing sling spring springs sibling siblings "
    "icing frosting dumpling stuffing railing awning lightning morning something nothing anything everything"
)

# Places: a locative phrase ending in one of these makes "the X in/on <place>" a background edit.
PLACES = _words(
    "beach forest woods wood jungle park desert city street road field meadow garden farm mountain "
    "mountains space moon mars ocean sea lake river snow water stage stadium track library room "
    "kitchen office cafe restaurant market island savanna savannah arctic cave spaceship countertop "
    "floor landscape sky clouds underwater reef village town countryside hill hills valley canyon "
    "volcano glacier iceberg shore coast waterfall bridge rooftop roof studio classroom church "
    "temple palace castle castles alley highway airport station subway train mall store shop "
    "bedroom bathroom hallway gym pool beachfront backyard yard lawn grass meadow wilderness "
    "rainforest tundra prairie plains dunes dune sand universe galaxy planet world battlefield "
    "ruins cemetery graveyard carnival fair circus paris london tokyo france italy japan china "
    "egypt india africa antarctica venice rome york hawaii sahara everest eiffel times square cliff cliffs "
    "lakeside riverside seaside harbor harbour pier dock vineyard orchard ranch barn zoo aquarium museum gallery "
    "theater theatre hotel lobby balcony terrace patio porch courtyard plaza colosseum savannah mountaintop "
    "hilltop skyline nebula tropics paradise wonderland concert arena alps pyramids disneyland disney yosemite "
    "manhattan brooklyn berlin barcelona dubai sydney beijing bali maldives iceland switzerland scotland ireland "
    "england greece spain mexico brazil canada australia vegas"
)

# Words between a new object and where it goes: "a palm tree would look much better where the lamp is".
PREFERENCE_WORDS = _words(
    "would could should might will be look looks go goes fit fits work works better nicer prettier cooler best "
    "much way so really even great good nice more there here probably definitely"
)

# Auxiliaries and verb forms the sentence shapes key on.
MODALS = _words("can could would will should may might shall must does do is are ought")
AUX = MODALS - {"is", "are"} | {"needs", "need", "to", "not", "also"}
MARKS: tuple[str, ...] = ("to", "into", "with", "for", "as", "be")  # words before the new content
ABSENT = _words("there here visible present anywhere in on at stay remain")
BE = _words("be is are was were being been become became am")
PAST: dict[str, str] = {
    "added": "add", "removed": "remove", "changed": "change", "made": "make", "replaced": "replace",
    "turned": "turn", "gave": "give", "deleted": "delete", "erased": "erase", "put": "put",
    "placed": "place", "moved": "move", "painted": "paint", "took": "take", "got": "get",
}
# Who wishes, and the verbs of a wish: "I'd love a balloon", "she wants the fridge red".
WISHERS = _words("i we she he they")
WISH_VERBS = _words("like want need wish prefer love hope likes wants needs wishes prefers loves hopes")
HEDGES = _words("would really do not also kind of am will rather")  # "I would really like ..."
PARTICLES: tuple[str, ...] = ("off", "out", "away", "up", "down")
UNWANTED = _words("include show want need keep have put add like")  # "don't include the cat"
EDIT_VERBS = ADD_VERBS | REMOVE_VERBS | CHANGE_VERBS | PLACE_VERBS | MOVE_VERBS | {"give"}
TYPO_PHRASES: dict[tuple[str, ...], list[str]] = {  # misspelt or roundabout phrases, written plainly
    ("get", "ride", "of"): ["get", "rid", "of"], ("rid", "off"): ["rid", "of"], ("as", "well", "as"): ["and"],
    ("half", "the", "size"): ["smaller"], ("twice", "the", "size"): ["bigger"], ("double", "the", "size"): ["bigger"],
    ("less", "big"): ["smaller"], ("less", "small"): ["bigger"], ("less", "bright"): ["darker"],
    ("less", "dark"): ["brighter"],
}
# Words of opinion that label an object without naming it ("that ugly lamp post" -> lamp post).
EVALUATIVE = _words("ugly annoying weird stupid random horrible awful nasty distracting unwanted pesky dumb "
                    "hideous silly terrible gross odd")
# Complaints that ask for the object to go: "the sign is distracting", "the wires are in the way".
REMOVE_COMPLAINTS: tuple[tuple[str, ...], ...] = (
    ("distracting",), ("annoying",), ("unnecessary",), ("unwanted",), ("pointless",), ("an", "eyesore"),
    ("in", "the", "way"), ("ruining",), ("not", "needed"), ("too", "distracting"), ("so", "distracting"),
    ("really", "distracting"), ("photobombing",), ("blocking",), ("spoiling",), ("cluttering",),
)
# Verbs of making a picture: "sketch the scene" restyles it, "sketch a bird" adds one.
STYLE_VERBS: dict[str, str] = {"sketch": "sketch", "draw": "drawing", "paint": "painting", "doodle": "doodle",
                               "illustrate": "illustration", "cartoonize": "cartoon", "watercolor": "watercolor",
                               "pixelate": "pixel art"}
# Fuzzy typo targets at any position of a clause (not only where a verb goes): words the photometric scan
# and the background frames key on ("make it brigther", "change the backgroud").
FUZZY_ANYWHERE: tuple[str, ...] = (
    "brighter", "darker", "lighter", "warmer", "cooler", "sharper", "blurry", "blurrier", "background",
    "backdrop", "saturation", "contrast", "brightness", "vibrant", "grayscale", "sepia", "saturated",
)
