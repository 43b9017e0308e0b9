"""An independent evaluation corpus for identity resolution. Pure: no Django, and nothing
from Sightline (not the demo generator, not the matcher's features or name tables).

Why a second generator: the demo generator's noise model is the one the matcher was tuned
on, so its figures flatter the matcher. This corpus is written from published
descriptions of how person records degrade, by a different hand, and is used only to
measure (``sightline bench-linkage`` reports it apart from the demo data). Tune on the
demo data, never on this.

Sources:
- Error types: P. Christen and A. Pudjijono, "Accurate synthetic generation of realistic
  personal information", PAKDD 2009, and P. Christen, "Probabilistic data generation for
  deduplication and data linkage", IDEAL 2005 (the FEBRL data generator): character
  insertion, deletion, substitution and transposition; keyboard typing errors (QWERTY
  neighbours); OCR confusions (``rn``/``m``, ``cl``/``d``, ``0``/``o``...); phonetic
  variants (``ph``/``f``, ``ck``/``k``...); missing values; swapped field values; words
  split or run together. Their relative frequencies here are the generator's own, set by
  hand (``errors.py``).
- Name variants: the ``nicknames`` package (a hand-curated dataset of English names and
  their nicknames, pinned in requirements-dev.txt), used as the "known as" name; and
  kept from siblings, with spellings of one sound (Metaphone, from ``jellyfish``): a
  mother's children have different names.
- Name frequencies: Faker's ``en_GB`` person data (given names from the Office for
  National Statistics' baby-name reference tables, in rank order; family names with
  their published shares of the population), with a smaller share of Polish and Nigerian
  names from Faker's ``pl_PL`` and ``en_NG`` data. Given names are drawn with weights
  by rank (1/sqrt(rank), ``sources.ZIPF``), an assumption: the source gives ranks, not
  counts, and a few hundred names stand for the thousands in use.
- Multiple births: the Office for National Statistics' "Birth characteristics in England
  and Wales" puts twin maternities at about 1.4% and triplets at about 0.02%; the corpus
  uses 2.5% and 0.25% so that twins and triplets are numerous enough to count.
- What each agency holds, and how completely, follows the usual picture of English
  multi-agency data: health records carry the NHS number and the registered name;
  schools the name the child is known by; police records names in capitals, aliases,
  and dates of birth as told; housing the tenancy's address more reliably than the
  date of birth. Missing NHS numbers and dates of birth, day/month swaps and 1 January
  placeholders, moves with the old address kept by one agency, previous family names,
  pre-birth ("Unborn") records: each is a rate in ``generator.AGENCIES`` or
  ``generator.Rates``.

``generate(records=N, seed=S)`` returns the records and the truth; ``write`` writes the
person-records interchange format (``shared/formats/person-records.md``) and a truth file.
"""
