"""Nicknames and short forms of given names common in England. Pure data and one lookup.

A name maps to the formal names it may stand for. A nickname may stand for several
(``alex`` for Alexander and Alexandra), so the lookup returns a set; two given names are
"the same by nickname" when their sets meet. Formal names stand for themselves. Spelling
variants that are not typos (Mohammed, Muhammad) are listed as one formal name.
"""

from functools import lru_cache

# formal name -> its nicknames, short forms and spelling variants (all lower case, normalised)
_FORMS: dict[str, tuple[str, ...]] = {
    "abigail": ("abi", "abby", "abbie", "gail"),
    "alexander": ("alex", "alec", "al", "sandy", "xander", "lex", "sasha"),
    "alexandra": ("alex", "lexi", "lexie", "sandra", "sasha", "ali", "alix"),
    "alfred": ("alf", "alfie", "fred", "freddie"),
    "amelia": ("millie", "milly", "amy", "mia"),
    "andrew": ("andy", "drew"),
    "anthony": ("tony", "ant"),
    "archibald": ("archie", "archy"),
    "benjamin": ("ben", "benny", "benji"),
    "catherine": ("cath", "cathy", "kate", "katie", "cat", "kat", "kathryn", "katherine"),
    "charles": ("charlie", "chas", "chuck", "chaz"),
    "charlotte": ("charlie", "lottie", "lotte", "lotty"),
    "christopher": ("chris", "kit", "topher"),
    "christine": ("chris", "chrissie", "tina"),
    "daniel": ("dan", "danny", "dani"),
    "danielle": ("dani", "elle"),
    "david": ("dave", "davy", "davey"),
    "edward": ("ed", "eddie", "eddy", "ted", "teddy", "ned"),
    "eleanor": ("ellie", "elly", "nell", "nellie", "nora", "elinor"),
    "elizabeth": ("liz", "lizzie", "lizzy", "beth", "betty", "bess", "eliza", "libby", "elsie"),
    "emily": ("em", "emmy", "millie"),
    "florence": ("flo", "florrie", "flossie"),
    "francis": ("frank", "frankie", "fran"),
    "frederick": ("fred", "freddie", "freddy"),
    "gabriel": ("gabe", "gabby"),
    "gabriella": ("gabby", "gabi", "ella"),
    "harold": ("harry", "hal"),
    "harriet": ("hattie", "hatty", "harry"),
    "harrison": ("harry", "harris"),
    "henry": ("harry", "hal", "hank"),
    "isabella": ("izzy", "izzie", "bella", "isabel", "isabelle", "issy"),
    "jacob": ("jake", "jay"),
    "james": ("jim", "jimmy", "jamie", "jem"),
    "jennifer": ("jen", "jenny", "jenni"),
    "jessica": ("jess", "jessie", "jessy"),
    "john": ("jon", "johnny", "jack", "jonny"),
    "jonathan": ("jon", "jonny", "johnny", "nathan"),
    "joseph": ("joe", "joey", "jo"),
    "joanne": ("jo", "jojo", "joanna"),
    "joshua": ("josh",),
    "katherine": ("kate", "katie", "kat", "kathy", "kath", "kathryn", "catherine"),
    "lawrence": ("larry", "laurie", "laurence"),
    "leonard": ("leo", "len", "lenny"),
    "margaret": ("maggie", "meg", "peggy", "maisie", "madge", "greta", "margo"),
    "matilda": ("tilly", "tillie", "mattie", "tilda"),
    "matthew": ("matt", "matty"),
    "michael": ("mike", "mick", "mikey", "micky", "mickey"),
    "muhammad": ("mohammed", "mohammad", "mohamed", "muhammed", "mohamad", "mo", "moe"),
    "natalie": ("nat", "tally"),
    "nathaniel": ("nate", "nat", "nathan"),
    "nicholas": ("nick", "nicky", "nico"),
    "nicola": ("nicky", "nikki", "nic"),
    "oliver": ("ollie", "olly", "ol"),
    "olivia": ("liv", "livvy", "livia", "ollie"),
    "patrick": ("pat", "paddy"),
    "patricia": ("pat", "patty", "trish", "tricia"),
    "rebecca": ("becky", "becca", "bex", "becki"),
    "richard": ("rich", "richie", "rick", "ricky", "dick"),
    "robert": ("rob", "robbie", "bob", "bobby", "bert"),
    "ronald": ("ron", "ronnie"),
    "samantha": ("sam", "sammy", "sammie"),
    "samuel": ("sam", "sammy", "sammie"),
    "sophia": ("sophie", "sofia", "soph"),
    "stephanie": ("steph", "stevie"),
    "stephen": ("steve", "stevie", "steven"),
    "susan": ("sue", "susie", "suzy"),
    "theodore": ("theo", "ted", "teddy"),
    "thomas": ("tom", "tommy", "thom"),
    "timothy": ("tim", "timmy"),
    "victoria": ("vicky", "vicki", "tori", "vikki"),
    "william": ("will", "bill", "billy", "willy", "willie", "liam", "wil"),
    "zachary": ("zach", "zack", "zac"),
    # Spelling variants of one name (not typos: each is a name in its own right).
    "aisha": ("ayesha", "aysha", "aishah", "ayeesha"),
    "caitlin": ("katelyn", "kaitlyn", "caitlyn", "katelin"),
    "jayden": ("jaden", "jaiden", "jaydon"),
    "kayleigh": ("kaylee", "kayley", "kaylie", "kaley", "caleigh"),
    "leah": ("lea", "lia"),
    "maryam": ("miriam", "mariam", "maryum"),
    "mohammed": ("muhammad", "mohammad", "mohamed", "muhammed"),
    "reece": ("rhys", "reese", "rees"),
    "sophie": ("sophia", "sofia", "sofie"),
    "zoe": ("zoey", "zoee"),
    "lewis": ("louis", "luis"),
    "megan": ("meghan", "meagan"),
    "hannah": ("hana", "hanna"),
    "isabel": ("isabelle", "isobel", "izzy"),
    "jon": ("john",),
    "oleksandr": ("sasha", "olek", "alek", "oleks"),
    "aleksander": ("olek", "alek", "aleks"),
    "emmanuel": ("manny", "manu", "emmy"),
    "andre": ("drew", "dre"),
}


def _build() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for formal, forms in _FORMS.items():
        table.setdefault(formal, set()).add(formal)
        for form in forms:
            table.setdefault(form, set()).add(formal)
    return {name: frozenset(formals) for name, formals in table.items()}


_TABLE = _build()


@lru_cache(maxsize=65536)
def formal_names(name: str) -> tuple[str, ...]:
    """The formal names ``name`` may stand for, sorted; ``(name,)`` if it is not listed.

    ``name`` must already be normalised (``people.normalise.name_key``, one word).
    """
    if not name:
        return ()
    return tuple(sorted(_TABLE.get(name, frozenset((name,)))))
