"""End to end on articles the rules were not written from (tests/fixtures/unseen): fifty-seven
Arabic and fifty-seven English news articles on other wars (Yemen, Gaza, Mosul, Darfur, Idlib,
Kabul, Baghdad, Tripoli, Deir ez-Zor, Lebanon, Mogadishu; batch 2: Aleppo, Rann, Moura, Sirte,
Hodeidah, Khartoum, Fallujah, Afrin; batch 3: Uman, Goma, Turkish strikes in Syria, the Sahel,
US and British strikes in Yemen, Baghouz, Tigray, Tarhuna; batch 4: Pazigyi in Myanmar, Merawi
in Amhara, Malam-Fatori in Borno, Raqqa, Douma, the Saada prison, Zamzam camp, Hawija; batch 5:
the Zoobe truck bomb, Pont-Sondé, Afrin, Palma, El Geneina, Tal Afar, Khan Sheikhoun, Qana; batch 6:
Ganja, the al-Ahli hospital, Barsalogho, Zamfara, Sweida, Wad Madani, Camp Speicher, the Saada
border; batch 7: the Kunduz hospital, the Mariupol theatre, the Beirut port, Bohoma, Aden, the
Rawda mosque, Jenin camp, Tripoli airport; batch 8: Plaine Savo, Armed Forces Day in Myanmar,
West Wollega, Ngarbuh, the Gaza border, the Palm Sunday bombings, Karrada, Ogossagou; batch 9:
Kramatorsk station, Zabarmari, El Adde, the Waer evacuation, the Rashidin bus bombing, Taiz,
Derna, Solhan; batch 10: In Amenas, the Ghouta chemical attack, Sinjar, Ben Guerdane, Tudun Biri,
the Peshawar school, the Easter Sunday bombings, Garissa University; batch 11: Houla, the Sanaa
funeral hall, the Rabaa dispersal, Nasiriyah, Chibok, Balakot and Pulwama, Olenivka prison, the
Marawi siege; batch 12: the Rohingya exodus, the Bentiu mosque, the Christchurch mosques, Inates,
the Imam Sadiq mosque in Kuwait, Tayouneh, the Amman hotels, the Syrian coast; batch 13: Sheikh
Zuweid, Zliten, Jableh and Tartus, the Arsal evacuation, Westgate, Quetta's Civil Hospital, Sobane
Da, the Ankara peace rally), with a
hand-annotated gold file and traps, scored by
`casualties.evaluate`. The manifest says which were held out: six written and scored after the
rules had been fixed from the first twelve, and the eight of batches 2 to 9 each, annotated by
hand before the tool was first run on them (their first score is in the commit that fixed rules
from them; batch 5's to 13's in BATCH5_FIRST_SCORE.md to BATCH13_FIRST_SCORE.md).

The floors are the scores reached once the rules were fixed from batches 1 to 6, over those 58
(scope before_batch_7), over batches 6 and 5, and over those before batches 6, 5, 4 and 3 (whose
text later rules must not lose ground on); a rule change that loses ground fails here. Batch 7
and all 66 have floors just below their first score, before any rule was fixed from batch 7
(BATCH7_FIRST_SCORE.md). Batch 8 was added after them: the floors of all 66 hold over the 66
before it (scope before_batch_8); batch 8 and all 74 have floors just below the scores reached
once rules were fixed from it (its first score is in BATCH8_FIRST_SCORE.md), and two of its traps
are still read (expected failures). Batch 9 was added after them: the floors of all 74 hold
over the 74 before it (scope before_batch_9); batch 9 and all 82 have floors just below batch 9's
first score (BATCH9_FIRST_SCORE.md), and the two of its traps read then are expected failures.
Batch 10 was added after them: the 82 before it (scope before_batch_10), batch 10 and all 90 have
floors just below batch 10's first score (BATCH10_FIRST_SCORE.md), and the two of its traps read
then are expected failures. Batch 11 was added after them: the 90 before it (scope before_batch_11),
batch 11 and all 98 have floors just below batch 11's first score (BATCH11_FIRST_SCORE.md), and the
three of its traps read then are expected failures. Batch 12 was added after them: the 98 before it
(scope before_batch_12), batch 12 and all 106 have floors just below batch 12's first score
(BATCH12_FIRST_SCORE.md), and the two of its traps read then are expected failures.
One batch-6 trap, a count of displaced families, is still read as a
figure and is an expected failure (batch 7's two, empty buses and supplies for a number of
wounded, no longer are). `casualties eval tests/fixtures/unseen/gold.jsonl tests/fixtures/unseen` prints every
remaining miss.
"""
import csv

import pytest

from casualties.api import extract_articles
from casualties.evaluate import evaluate, read_gold
from conftest import article_texts, figures_inside_trap, ROOT, read_jsonl

UNSEEN = ROOT / "tests" / "fixtures" / "unseen"
GOLD_ROWS = read_gold(UNSEEN / "gold.jsonl")
TRAPS = read_jsonl(UNSEEN / "traps.jsonl")
with open(UNSEEN / "manifest.csv", encoding="utf-8", newline="") as _handle:
    _MANIFEST = list(csv.DictReader(_handle))
BATCH_3 = {row["id"] for row in _MANIFEST if "batch 3" in row["note"]}
BATCH_4 = {row["id"] for row in _MANIFEST if "batch 4" in row["note"]}
BATCH_5 = {row["id"] for row in _MANIFEST if "batch 5" in row["note"]}
BATCH_6 = {row["id"] for row in _MANIFEST if "batch 6" in row["note"]}
BATCH_7 = {row["id"] for row in _MANIFEST if "batch 7" in row["note"]}
BATCH_8 = {row["id"] for row in _MANIFEST if "batch 8" in row["note"]}
BATCH_9 = {row["id"] for row in _MANIFEST if "batch 9" in row["note"]}
BATCH_10 = {row["id"] for row in _MANIFEST if "batch 10" in row["note"]}
BATCH_11 = {row["id"] for row in _MANIFEST if "batch 11" in row["note"]}
BATCH_12 = {row["id"] for row in _MANIFEST if "batch 12" in row["note"]}
BATCH_13 = {row["id"] for row in _MANIFEST if "batch 13" in row["note"]}
BATCH_14 = {row["id"] for row in _MANIFEST if "batch 14" in row["note"]}
BATCH_15 = {row["id"] for row in _MANIFEST if "batch 15" in row["note"]}
BATCH_16 = {row["id"] for row in _MANIFEST if "batch 16" in row["note"]}
BATCH_17 = {row["id"] for row in _MANIFEST if "batch 17" in row["note"]}
BATCH_18 = {row["id"] for row in _MANIFEST if "batch 18" in row["note"]}
BATCH_19 = {row["id"] for row in _MANIFEST if "batch 19" in row["note"]}

# Scope -> (recall, precision, field floors), just below the scores measured at the end of the
# sitting that added batch 4 (its first score, before any rule change: P 0.983, R 0.957, actor
# 0.882, outcome 0.950, claimed_by 0.655, period 0.849, 1 of 109 traps read as figures). All 42:
# P 0.998, R 0.998; value 0.998, population 0.994, actor 0.947, subgroup 0.998, outcome 0.992,
# claimed_by 0.964, period 0.865, subset_of 0.998, unit 1.000. The 34 before batch 4 (which its
# rules must not lose ground on): P 0.998, R 1.000; value 0.998, population 0.995, actor 0.960,
# claimed_by 0.973, period 0.870, the rest 1.000. The 26 before batch 3 keep their batch-3 floors.
# Batch 5 (first score P 0.963, R 0.818, claimed_by 0.648, 3 of 119 traps read as figures): after
# the rules fixed from it, P 0.991, R 0.901, population 0.983, actor 0.930, outcome 0.957,
# claimed_by 0.930, period 0.878, subset_of 0.991, the rest 1.000, no trap; all 50: P 0.997,
# R 0.979, value 0.998, population 0.992, actor 0.945, outcome 0.991, claimed_by 0.963, period
# 0.875, subset_of 0.997, subgroup and unit 1.000. The 42 before it keep their floors. Period
# floors raised at the end of the sitting's period work: all 0.880, batch 5 0.896, the 42 before
# it 0.876, the 34 before batch 4 0.876, the 26 before batch 3 0.860. Batch 6 (first score P 0.962,
# R 0.829, claimed_by 0.650, period 0.660, 4 of 101 traps read as figures; BATCH6_FIRST_SCORE.md):
# after the rules fixed from it, P 0.991, R 0.964, population 0.870, actor 0.904, subgroup 0.957,
# outcome 0.948, claimed_by 0.817, period 0.739, subset_of 0.957, value and unit 1.000, one trap;
# all 58: P 0.997, R 0.993, population 0.974, actor 0.940, subgroup 0.993, outcome 0.986,
# claimed_by 0.940, period 0.862, subset_of 0.991, value and unit 1.000. The 50 before it keep
# the floors they had as "all" (scope before_batch_6), and the older scopes theirs. Batch 7 was
# added after them: the floors of all 58 hold over the 58 before it. Batch 7's first score, before
# any rule change (clean git archive of 09685d7, BATCH7_FIRST_SCORE.md): P 0.983, R 0.882, value
# 0.983, population 0.957, actor 0.855, subgroup 0.974, outcome 0.906, claimed_by 0.496, period
# 0.726, subset_of 0.915, unit 1.000, 2 of 102 traps read as figures; all 66: P 0.995, R 0.977,
# value 0.998, population 0.972, actor 0.929, subgroup 0.991, outcome 0.975, claimed_by 0.881,
# period 0.855, subset_of 0.981, unit 1.000. Their floors sit just below.
# Actor floors raised to just below their scores after the actor rules of bare nouns' sides, allies
# passed over and the gazetteer's new sides: all 0.945, batch_10 0.917, batch_11 0.897, batch_9 0.932,
# batch_7 0.955, before_batch_11 0.948 (every scope's new floor is below its score by at most 0.007).
FLOORS = {
    # claimed_by floors raised to just below the scores after the claimant fixes of 4e241b2..b9d5258
    # (titles as a class, pronoun speakers, names in apposition past ranks, hospital directors and
    # doctors as medical sources, 'وكان فلان قد', 'according to' sources kept as written, ...; clean git
    # archive of 9d55b8e): all 0.875 -> 0.905 (measured 0.909), batch_11 0.6 -> 0.785 (0.794),
    # batch_10 0.72 -> 0.86 (0.864), batch_8 0.835 -> 0.945 (0.951), batch_7 0.64 -> 0.695 (0.699),
    # batch_5 0.925 -> 0.945 (0.952), and the before_batch_N scopes to just below theirs (0.918-0.982);
    # then after 6c04644..a7d8c97 (partitives, 'Among', an opening place phrase, aged and unnamed
    # officials; clean git archive of a7d8c97): all 0.91 (0.914), batch_7 0.715 (0.722), batch_6
    # 0.81 -> 0.88 (0.887), batch_5 0.965 (0.968), before_batch_N 0.92-0.98 (0.923-0.983)
    # Period floors raised at the end of helper-48's period work (report days, mastheads, tolls of
    # events that began on a day, since a side's deed, dated events, the past decade, since then,
    # the first months of the year, strengths dated by their deed, states past a clause break):
    # each scope's period to just below its measured score (all 0.910, batch_11 0.856, batch_10
    # 0.886, batch_9 0.922, batch_8 0.990, batch_7 0.872, batch_6 0.870, batch_5 0.929).
    # Batch 11's first score, before any rule change (clean git archive of fd36573,
    # BATCH11_FIRST_SCORE.md): P 0.968, R 0.800, value 1.000, population 0.879, actor 0.846,
    # subgroup 0.978, outcome 0.956, unit 1.000, claimed_by 0.604, period 0.714, subset_of 0.945,
    # 3 of 70 traps read; all 98 P 0.992, R 0.969, value 0.999, population 0.958, actor 0.915,
    # subgroup 0.992, outcome 0.969, claimed_by 0.878, period 0.891, subset_of 0.970; the 90 before
    # it P 0.994, R 0.984, value 0.999, population 0.964, actor 0.921, subgroup 0.994, outcome 0.970,
    # claimed_by 0.899, period 0.904, subset_of 0.972. Floors just below.
    # Batch 12's first score, before any rule change (clean git archive of 1c2ba13,
    # BATCH12_FIRST_SCORE.md): P 0.975, R 0.791, value 1.000, population 0.923, actor 0.808,
    # subgroup 1.000, outcome 0.923, unit 1.000, claimed_by 0.564, period 0.782, subset_of 0.872,
    # 2 of 60 traps read; all 106 P 0.994, R 0.964, value 0.999, population 0.957, actor 0.937,
    # subgroup 0.993, outcome 0.972, claimed_by 0.894, period 0.903, subset_of 0.965; the 98 before
    # it P 0.995, R 0.976, value 0.999, population 0.959, actor 0.945, subgroup 0.993, outcome 0.975,
    # claimed_by 0.914, period 0.910, subset_of 0.970. Floors just below; the floors "all" had over
    # the 98 are before_batch_12's, raised where its score allowed.
    # claimed_by of "all" lowered from 0.89, and batch_13's from 0.605, when the revised Sobane Da
    # toll and its earlier value were found ('lowered the death toll ... to 35, down from the 95 it
    # had announced'): Mali's government has no gazetteer entry (gold mali_government, the tool
    # malian_army); all 0.890 -> 0.889, batch_13 0.606 -> 0.594, no previously found row's claimant changed
    "all": (0.97, 0.99, {
        "value": 0.995, "population": 0.94, "actor": 0.93, "subgroup": 0.99, "outcome": 0.965, "unit": 1.0,
        "claimed_by": 0.87, "period": 0.9, "subset_of": 0.96}),
    # Batch 13's first score, before any rule change (clean git archive of 6b769ac,
    # BATCH13_FIRST_SCORE.md): P 0.971, R 0.863, value 1.000, population 0.838, actor 0.808,
    # subgroup 1.000, outcome 0.929, unit 1.000, claimed_by 0.606, period 0.798, subset_of 0.899,
    # 3 of 69 traps read; all 114 P 0.994, R 0.973, population 0.949, actor 0.939, outcome 0.971,
    # claimed_by 0.890, period 0.906, subset_of 0.966. Floors just below. The floors of the 106
    # before it (before_batch_13) are those "all" had, raised to just below the scores reached by the
    # tenth sitting's fixes from batch 12 (b12 R 0.791 -> 0.988, claimed_by 0.564 -> 0.823, period
    # 0.782 -> 0.917); every older scope's floors raised to just below its score where it rose.
    # Batch 14's first score (held out, written apart this sitting; main at 9ddca6b, clean git
    # archive, BATCH14_FIRST_SCORE.md): P 0.980, R 0.832, one article (Bogota) lost whole to a
    # KeyError in a rule extended this sitting; after that crash fix alone (00d30e1, no rule
    # change for batch 14): P 0.983, R 0.953, value 0.991, population 0.886, actor 0.877,
    # subgroup 1.000, outcome 0.904, unit 1.000, claimed_by 0.570, period 0.860, subset_of 0.904,
    # 2 of 76 traps read. Floors just below; before_batch_14 keeps the floors "all" had.
    # Batch 15's first score (held out, written apart in the twelfth sitting; main at 058086c,
    # clean git archive, BATCH15_FIRST_SCORE.md): P 0.991, R 0.919, value 0.982, population 0.884,
    # actor 0.938, subgroup 1.000, outcome 0.946, unit 1.000, claimed_by 0.759, period 0.661,
    # subset_of 0.964, 1 of 75 traps read. Floors just below; before_batch_15 keeps the floors
    # "all" had.
    # Batch 19's first score (held out, written apart in the fourteenth sitting; main at 6fe23b6,
    # clean git archive, BATCH19_FIRST_SCORE.md): P 0.970, R 0.811, population 0.908, actor 0.898,
    # subgroup 1.000, outcome 0.888, claimed_by 0.582, period 0.796, subset_of 0.929,
    # 2 of 100 traps read. Floors just below; before_batch_19 keeps the floors "all" had.
    "batch_19": (0.806, 0.965, {
        "value": 0.995, "population": 0.903, "actor": 0.893, "subgroup": 1.0, "outcome": 0.883, "unit": 1.0,
        "claimed_by": 0.577, "period": 0.791, "subset_of": 0.924}),
    "before_batch_19": (0.97, 0.99, {
        "value": 0.995, "population": 0.94, "actor": 0.93, "subgroup": 0.99, "outcome": 0.965, "unit": 1.0,
        "claimed_by": 0.87, "period": 0.9, "subset_of": 0.96}),
    # Batch 18's first score (held out, written apart in the fourteenth sitting; main at 2ce4660,
    # clean git archive, BATCH18_FIRST_SCORE.md): P 0.973, R 0.893, value 1.000, population 0.898,
    # actor 0.907, subgroup 1.000, outcome 0.944, unit 1.000, claimed_by 0.657, period 0.787,
    # subset_of 0.954, 3 of 103 traps read. Floors just below; before_batch_18 keeps the floors
    # "all" had. Actor 0.905 -> 0.895 and subset_of 0.95 -> 0.945 when the attackers' strengths
    # ("at least five gunmen took part", "At least four men in camouflage") and the new arrivals'
    # children were found with open causes (a bare "gunmen" given the story's one armed group, IS
    # not named in the sentence, the part of a part): no row found before got worse.
    "batch_18": (0.89, 0.97, {
        "value": 0.995, "population": 0.895, "actor": 0.895, "subgroup": 0.995, "outcome": 0.94, "unit": 1.0,
        "claimed_by": 0.65, "period": 0.785, "subset_of": 0.945}),
    "before_batch_18": (0.97, 0.99, {
        "value": 0.995, "population": 0.94, "actor": 0.93, "subgroup": 0.99, "outcome": 0.965, "unit": 1.0,
        "claimed_by": 0.87, "period": 0.9, "subset_of": 0.96}),
    # Batch 17's first score (held out, written apart in the thirteenth sitting; main at 1aaee48,
    # clean git archive, BATCH17_FIRST_SCORE.md): P 0.989, R 0.851, value 1.000, population 0.911,
    # actor 0.844, subgroup 0.989, outcome 0.933, unit 1.000, claimed_by 0.600, period 0.889,
    # subset_of 0.933, 1 of 73 traps read. Floors just below; before_batch_17 keeps the floors
    # "all" had.
    "batch_17": (0.845, 0.985, {
        "value": 0.995, "population": 0.905, "actor": 0.84, "subgroup": 0.985, "outcome": 0.93, "unit": 1.0,
        "claimed_by": 0.595, "period": 0.885, "subset_of": 0.93}),
    "before_batch_17": (0.97, 0.99, {
        "value": 0.995, "population": 0.94, "actor": 0.93, "subgroup": 0.99, "outcome": 0.965, "unit": 1.0,
        "claimed_by": 0.87, "period": 0.9, "subset_of": 0.96}),
    # Batch 16's first score (held out, written apart in the thirteenth sitting; main at ee8ffc7,
    # clean git archive, BATCH16_FIRST_SCORE.md): P 0.991, R 0.872, value 1.000, population 0.920,
    # actor 0.956, subgroup 0.973, outcome 0.973, unit 1.000, claimed_by 0.735, period 0.858,
    # subset_of 0.947, 1 of 76 traps read. Floors just below; before_batch_16 keeps the floors
    # "all" had. After this sitting's fixes from it (64322c0): P 1.000, R 0.991, population 0.929,
    # actor 0.953, subgroup 0.976, outcome 0.984, claimed_by 0.787, period 0.882, subset_of 0.945;
    # the floors now keep those gains.
    "batch_16": (0.985, 0.99, {
        "value": 0.995, "population": 0.925, "actor": 0.95, "subgroup": 0.97, "outcome": 0.98, "unit": 1.0,
        "claimed_by": 0.78, "period": 0.875, "subset_of": 0.94}),
    "before_batch_16": (0.97, 0.99, {
        "value": 0.995, "population": 0.94, "actor": 0.93, "subgroup": 0.99, "outcome": 0.965, "unit": 1.0,
        "claimed_by": 0.87, "period": 0.9, "subset_of": 0.96}),
    # after the thirteenth sitting's fixes from it (64322c0): P 0.992, R 1.000, population 0.910,
    # actor 0.951, outcome 0.984, claimed_by 0.918, period 0.828, subset_of 0.984; floors keep them
    "batch_15": (0.995, 0.985, {
        "value": 0.995, "population": 0.905, "actor": 0.945, "subgroup": 1.0, "outcome": 0.98, "unit": 1.0,
        "claimed_by": 0.91, "period": 0.82, "subset_of": 0.98}),
    "before_batch_15": (0.97, 0.99, {
        "value": 0.995, "population": 0.94, "actor": 0.93, "subgroup": 0.99, "outcome": 0.965, "unit": 1.0,
        "claimed_by": 0.87, "period": 0.9, "subset_of": 0.96}),
    "batch_14": (0.95, 0.98, {
        "value": 0.99, "population": 0.88, "actor": 0.87, "subgroup": 1.0, "outcome": 0.9, "unit": 1.0,
        "claimed_by": 0.565, "period": 0.855, "subset_of": 0.9}),
    "before_batch_14": (0.97, 0.99, {
        "value": 0.995, "population": 0.945, "actor": 0.935, "subgroup": 0.99, "outcome": 0.97, "unit": 1.0,
        "claimed_by": 0.885, "period": 0.905, "subset_of": 0.965}),
    "batch_13": (0.86, 0.97, {
        "value": 1.0, "population": 0.835, "actor": 0.805, "subgroup": 1.0, "outcome": 0.925, "unit": 1.0,
        "claimed_by": 0.59, "period": 0.795, "subset_of": 0.895}),
    "before_batch_13": (0.98, 0.995, {
        "value": 0.995, "population": 0.955, "actor": 0.945, "subgroup": 0.99, "outcome": 0.97, "unit": 1.0,
        "claimed_by": 0.905, "period": 0.91, "subset_of": 0.97}),
    "batch_12": (0.985, 1.0, {
        "value": 1.0, "population": 0.925, "actor": 0.935, "subgroup": 1.0, "outcome": 0.955, "unit": 1.0,
        "claimed_by": 0.82, "period": 0.915, "subset_of": 0.895}),
    "before_batch_12": (0.98, 0.99, {
        "value": 0.995, "population": 0.955, "actor": 0.945, "subgroup": 0.99, "outcome": 0.975, "unit": 1.0,
        "claimed_by": 0.915, "period": 0.91, "subset_of": 0.975}),
    # actor lowered from 0.84 when later rules found two more Pulwama rows ('two Indian pilots had
    # been arrested', 'one pilot was "missing in action"') whose side, India, has no gazetteer entry:
    # actor 0.846 -> 0.823 at fc63997 (R 0.850), no previously found row's actor changed
    "batch_11": (0.9, 1.0, {
        "value": 1.0, "population": 0.89, "actor": 0.94, "subgroup": 0.98, "outcome": 0.96, "unit": 1.0,
        "claimed_by": 0.8, "period": 0.86, "subset_of": 0.95}),
    # The floors of all 90 (below) raised to just below their score at batch 11's first score.
    "before_batch_11": (0.985, 0.99, {
        "value": 0.995, "population": 0.96, "actor": 0.945, "subgroup": 0.99, "outcome": 0.975, "unit": 1.0,
        "claimed_by": 0.925, "period": 0.915, "subset_of": 0.975}),
    # Batch 10's first score, before any rule change (clean git archive of 15264fa,
    # BATCH10_FIRST_SCORE.md): P 0.982, R 0.778, value 1.000, population 0.800, actor 0.864,
    # subgroup 1.000, outcome 0.882, unit 1.000, claimed_by 0.482, period 0.745, subset_of 0.909,
    # 2 of 75 traps read; all 90 P 0.993, R 0.967, value 0.999, population 0.950, actor 0.923,
    # subgroup 0.993, outcome 0.967, claimed_by 0.876, period 0.894, subset_of 0.971; the 82 before
    # it P 0.995, R 0.991, value 0.999, population 0.965, actor 0.929, subgroup 0.993, outcome 0.975,
    # claimed_by 0.916, period 0.909, subset_of 0.977. Floors just below; batch 11 was added after
    # them: the floors of all 90 (R 0.96, P 0.99, population 0.945, actor 0.915, outcome 0.96,
    # claimed_by 0.87, period 0.885, subset_of 0.965) were raised as before_batch_11's, above.
    # raised after the first rule fixes from batch 10 (gazetteer bodies, ttp, English demonyms):
    # R 0.794, population 0.804, actor 0.875, outcome 0.884, claimed_by 0.679, period 0.750, subset_of 0.911;
    # Arabic demonyms as the counted noun found three In Amenas rows whose actor and period come from
    # other open causes (lead's policy: recall may rise at such a cost when no found row changes):
    # R 0.817, population 0.800, actor 0.870, period 0.730; floors for those three lowered to just below;
    # Arabic arrest verbs (أوقفت, تم إيقاف) and English 'suspects': R 0.841, actor 0.864 (Ben Guerdane's
    # nine arrested have no actor); 'حتى مساء الأربعاء' starting on the story's day: period 0.831;
    # 'Asim Bajwa, the military's chief spokesman': claimed_by 0.720;
    # freed (تحرير), eliminated (قضت على), revised tolls and 'a total of', herders, 'still in hospital':
    # R 0.921, population 0.823, outcome 0.915, claimed_by 0.723; the newly found rows carry other open
    # causes (no actor for the Tunisian forces and the militants; the Easter tolls and the Rukubi
    # herders dated by another clause's time; the 150 in hospital not tied to the 485), so actor
    # 0.846, period 0.823 and subset_of 0.923, with no found row worse; those floors lowered to just below
    # period 0.885 -> 0.88 (thirteenth sitting): an optional row newly found (Ben Guerdane's 'أكثر من
    # مئة من المرتدين', 7fc2752) takes its sentence's 'حتى ظهر اليوم', another clause's time; no
    # row found before got worse (119 of 134 right before, 119 of 135 after)
    "batch_10": (0.94, 0.985, {
        "value": 1.0, "population": 0.895, "actor": 0.915, "subgroup": 1.0, "outcome": 0.94, "unit": 1.0,
        "claimed_by": 0.865, "period": 0.88, "subset_of": 0.94}),
    "before_batch_10": (0.99, 0.995, {
        "value": 0.995, "population": 0.97, "actor": 0.95, "subgroup": 0.99, "outcome": 0.98, "unit": 1.0,
        "claimed_by": 0.93, "period": 0.92, "subset_of": 0.98}),
    # Batch 9's first score, before any rule change (clean git archive of 4f795cf,
    # BATCH9_FIRST_SCORE.md): P 0.981, R 0.979, value 1.000, population 0.911, actor 0.812,
    # subgroup 1.000, outcome 0.970, unit 1.000, claimed_by 0.703, period 0.812, subset_of 0.960,
    # 2 of 32 traps read; all 82 P 0.995, R 0.990, value 0.999, population 0.962, actor 0.918,
    # subgroup 0.993, outcome 0.975, claimed_by 0.880, period 0.886, subset_of 0.977. Floors just below;
    # batch 10 was added after them: the floors of all 82 (R 0.985, P 0.99, population 0.955, actor
    # 0.91, claimed_by 0.875, period 0.88) were raised as before_batch_10's, above.
    # batch 9's actor 0.93 -> 0.92 and period 0.92 -> 0.91: en.figure.attackers_stormed finds El
    # Adde's optional 'hundreds of fighters stormed the camp' (present; al_shabaab is not named
    # there, and batch 16's convention gives a force present no period where batch 9 dated it)
    "batch_9": (1.0, 0.98, {
        "value": 1.0, "population": 0.92, "actor": 0.92, "subgroup": 1.0, "outcome": 1.0, "unit": 1.0,
        "claimed_by": 0.94, "period": 0.91, "subset_of": 0.96}),
    # Batch 8's first score, before any rule change (clean git archive of 6a1fd93,
    # BATCH8_FIRST_SCORE.md): P 0.971, R 0.967, value 0.950, population 0.931, actor 0.881,
    # outcome 0.970, claimed_by 0.663, period 0.931, subset_of 0.960, 3 of 43 traps read. Raised to
    # just below the scores once rules were fixed from it (numbers, gazetteer, claimants, a latent
    # place population): batch 8 P 0.981, R 0.967, value 0.990, population 0.931, actor 0.901,
    # outcome 0.970, claimed_by 0.842, period 0.931, subset_of 0.960, 2 traps read; all 74 P 0.996,
    # R 0.991, value 0.999, population 0.967, actor 0.929, subgroup 0.992, outcome 0.976,
    # claimed_by 0.898, period 0.881, subset_of 0.979. Batch 9 was added after them: the floors of
    # all 74 hold over the 74 before it.
    "before_batch_9": (0.99, 0.995, {
        "value": 0.995, "population": 0.975, "actor": 0.955, "subgroup": 0.99, "outcome": 0.975, "unit": 1.0,
        "claimed_by": 0.93, "period": 0.92, "subset_of": 0.98}),
    "batch_8": (0.975, 0.99, {
        "value": 0.99, "population": 0.95, "actor": 0.94, "subgroup": 1.0, "outcome": 0.98, "unit": 1.0,
        "claimed_by": 0.95, "period": 0.99, "subset_of": 0.96}),
    # Raised at the end of the sitting that scored batch 7 (first score P 0.983, R 0.882,
    # claimed_by 0.496, period 0.726; 2 of 102 traps read), once rules were fixed from it: all 66
    # P 0.998, R 0.994, population 0.971, actor 0.932, outcome 0.977, claimed_by 0.904, period
    # 0.862; batch 7 P 1.000, R 1.000, actor 0.894, claimed_by 0.644, period 0.697; the 58
    # before it P 0.997, R 0.993, claimed_by 0.949, period 0.890. Batch 8 was added after them:
    # the floors of all 66 hold over the 66 before it.
    "before_batch_8": (0.995, 0.995, {
        "value": 1.0, "population": 0.98, "actor": 0.955, "subgroup": 0.99, "outcome": 0.975, "unit": 1.0,
        "claimed_by": 0.925, "period": 0.91, "subset_of": 0.985}),
    # batch 7's period and population floors were lowered when the figure rules fixed from it found
    # nine more of its rows (recall 0.882 -> 0.958): periods right 86 -> 88 and populations right
    # 112 -> 121, but most new rows are states (people present, displaced) that the tool dates with
    # no day where the gold has the event's (BATCH7_FIRST_SCORE.md, doubts), so the ratios fell
    # ar.figure.transported (01988df: the wounded moved out are evacuated, as four articles' gold
    # says) costs the Mogadishu article's 'نقلت 35 مصابا' and its part, whose gold says wounded, and
    # Rawda's part in critical condition, now tied to the last wounded count: outcome floors of the
    # scopes holding Mogadishu and subset_of of the one holding Rawda down by 0.005
    "batch_7": (1.0, 1.0, {
        "value": 1.0, "population": 0.975, "actor": 0.95, "subgroup": 0.975, "outcome": 0.95, "unit": 1.0,
        "claimed_by": 0.72, "period": 0.875, "subset_of": 0.945}),
    "before_batch_7": (0.99, 0.995, {
        "value": 1.0, "population": 0.98, "actor": 0.955, "subgroup": 0.99, "outcome": 0.98, "unit": 1.0,
        "claimed_by": 0.96, "period": 0.915, "subset_of": 0.99}),
    "batch_6": (0.97, 0.99, {
        "value": 1.0, "population": 0.92, "actor": 0.91, "subgroup": 0.955, "outcome": 0.945, "unit": 1.0,
        "claimed_by": 0.885, "period": 0.88, "subset_of": 0.97}),
    "before_batch_6": (0.995, 0.995, {
        "value": 1.0, "population": 0.99, "actor": 0.96, "subgroup": 1.0, "outcome": 0.985, "unit": 1.0,
        "claimed_by": 0.975, "period": 0.92, "subset_of": 0.995}),
    # batch 5's actor 0.96 -> 0.94 and claimed_by 0.965 -> 0.96: Afrin's optional "343 terrorists
    # neutralized" rows, latent until "neutralised" was read as killed, are found with the side and
    # the speaker not told in their sentence (ypg, turkey in the gold)
    "batch_5": (0.99, 0.99, {
        "value": 1.0, "population": 0.98, "actor": 0.94, "subgroup": 1.0, "outcome": 0.965, "unit": 1.0,
        "claimed_by": 0.96, "period": 0.925, "subset_of": 0.99}),
    "before_batch_5": (1.0, 1.0, {
        "value": 1.0, "population": 0.99, "actor": 0.965, "subgroup": 1.0, "outcome": 0.99, "unit": 1.0,
        "claimed_by": 0.98, "period": 0.92, "subset_of": 0.995}),
    "before_batch_4": (1.0, 1.0, {
        "value": 1.0, "population": 0.995, "actor": 0.975, "subgroup": 1.0, "outcome": 0.995, "unit": 1.0,
        "claimed_by": 0.98, "period": 0.925, "subset_of": 1.0}),
    "before_batch_3": (1.0, 1.0, {
        "value": 1.0, "population": 0.995, "actor": 0.98, "subgroup": 1.0, "outcome": 0.99, "unit": 1.0,
        "claimed_by": 0.98, "period": 0.925, "subset_of": 1.0}),
}
FIELD_CASES = [(scope, name) for scope, (_r, _p, fields) in FLOORS.items() for name in sorted(fields)]


@pytest.fixture(scope="module")
def texts():
    return article_texts(UNSEEN)


@pytest.fixture(scope="module")
def extraction():
    return extract_articles([UNSEEN])


@pytest.fixture(scope="module")
def results(extraction, texts):
    def scope(left_out):
        rows = [row for row in GOLD_ROWS if row["doc"] not in left_out]
        return evaluate(rows, [f for f in extraction.figures if f.doc_id not in left_out], texts)
    # the batches after batch N, for its before_batch_N scope
    batches = [set(), set(), set(), BATCH_3, BATCH_4, BATCH_5, BATCH_6, BATCH_7, BATCH_8, BATCH_9, BATCH_10, BATCH_11,
               BATCH_12, BATCH_13, BATCH_14, BATCH_15, BATCH_16, BATCH_17, BATCH_18, BATCH_19]
    after = {n: set().union(*batches[n + 1:]) for n in range(len(batches))}
    later = BATCH_7 | after[7]
    return {"all": scope(set()), "batch_19": scope(set(texts) - BATCH_19), "before_batch_19": scope(BATCH_19),
            "batch_18": scope(set(texts) - BATCH_18), "before_batch_18": scope(BATCH_18 | after[18]),
            "batch_17": scope(set(texts) - BATCH_17), "before_batch_17": scope(BATCH_17 | after[17]),
            "batch_16": scope(set(texts) - BATCH_16), "before_batch_16": scope(BATCH_16 | after[16]),
            "batch_15": scope(set(texts) - BATCH_15), "before_batch_15": scope(BATCH_15 | after[15]),
            "batch_14": scope(set(texts) - BATCH_14), "before_batch_14": scope(BATCH_14 | after[14]),
            "batch_13": scope(set(texts) - BATCH_13), "before_batch_13": scope(BATCH_13 | after[13]),
            "batch_12": scope(set(texts) - BATCH_12), "before_batch_12": scope(BATCH_12 | after[12]),
            "batch_11": scope(set(texts) - BATCH_11),
            "before_batch_11": scope(BATCH_11 | after[11]), "batch_10": scope(set(texts) - BATCH_10),
            "before_batch_10": scope(BATCH_10 | after[10]), "batch_9": scope(set(texts) - BATCH_9),
            "before_batch_9": scope(BATCH_9 | after[9]), "batch_8": scope(set(texts) - BATCH_8),
            "before_batch_8": scope(BATCH_8 | after[8]),
            "batch_7": scope(set(texts) - BATCH_7),
            "before_batch_7": scope(later), "batch_6": scope(set(texts) - BATCH_6),
            "before_batch_6": scope(BATCH_6 | later), "batch_5": scope(set(texts) - BATCH_5),
            "before_batch_5": scope(BATCH_5 | BATCH_6 | later),
            "before_batch_4": scope(BATCH_4 | BATCH_5 | BATCH_6 | later),
            "before_batch_3": scope(BATCH_3 | BATCH_4 | BATCH_5 | BATCH_6 | later)}


def test_fixtures_are_eighty_one_arabic_and_eighty_one_english(texts):
    assert len([d for d in texts if d.startswith("ar_")]) == 81
    assert len([d for d in texts if d.startswith("en_")]) == 81
    assert {row["doc"] for row in GOLD_ROWS} == set(texts)


def test_gold_quotes_and_numbers_are_in_the_articles(texts):
    for row in GOLD_ROWS:
        assert texts[row["doc"]].count(row["quote"]) == 1, row["quote"]
        assert row["number_text"] in row["quote"], row["quote"]


@pytest.mark.parametrize("batch", [BATCH_3, BATCH_4, BATCH_5, BATCH_6, BATCH_7, BATCH_8, BATCH_9, BATCH_10, BATCH_11,
                                   BATCH_12, BATCH_13, BATCH_14, BATCH_15, BATCH_16, BATCH_17, BATCH_18,
                                   BATCH_19],
                         ids=["batch_3", "batch_4", "batch_5", "batch_6", "batch_7", "batch_8", "batch_9", "batch_10",
                              "batch_11", "batch_12", "batch_13", "batch_14", "batch_15", "batch_16", "batch_17",
                              "batch_18", "batch_19"])
def test_batch_is_four_arabic_and_four_english(texts, batch):
    assert sorted(doc[:3] for doc in batch) == ["ar_"] * 4 + ["en_"] * 4
    assert batch <= set(texts)


@pytest.mark.parametrize("scope", sorted(FLOORS))
def test_recall_on_required_figures(results, scope):
    result = results[scope]
    assert result.recall >= FLOORS[scope][0], [row["quote"] for row in result.false_negatives]


@pytest.mark.parametrize("scope", sorted(FLOORS))
def test_precision(results, scope):
    result = results[scope]
    assert result.precision >= FLOORS[scope][1], [(f.doc_id, f.number_text, f.quote) for f in result.false_positives]


@pytest.mark.parametrize("scope,name", FIELD_CASES)
def test_field_accuracy(results, scope, name):
    result = results[scope]
    errors = [(gold["quote"], expected, got) for gold, field, expected, got in result.field_errors if field == name]
    assert result.accuracy(name) >= FLOORS[scope][2][name], errors


# "Hundreds of displaced families": families are counted, not people, and have no unit of their
# own yet (tests/specs/figures/en.jsonl forms.displaced_families); until they do, a known failure.
# The two batch-7 traps read as figures at its first score (11 empty buses sent to collect
# residents, supplies enough to treat 250 wounded) are no longer read: en.figure.vehicles_sent,
# ar.figure.capacity.
_KNOWN_TRAPS = {("en_skynews_2023-10-18_ahli", "Hundreds of displaced families")}
# Two batch-8 traps are still read as figures: mourners at funerals ('وشيّع آلاف المواطنين ...
# جثامين الشهداء') and sites read as displaced people ('the 14 displacement sites'); the third
# (a province 'home to some 5.7 million inhabitants') no longer is (en.figure.home_to).
_BATCH_8_TRAPS = {("ar_alayam_2018-05-15_gazaborder", "وشيّع آلاف المواطنين"),
                  ("en_unnews_2022-02-03_plainesavo", "the 14 displacement sites")}

# Two batch-9 traps were read as figures at its first score: people gathered at a railway station
# ('Thousands of civilians, mostly women ... had gathered', 'around 4,000 people were in and around
# the station'), read as counts of people present (BATCH9_FIRST_SCORE.md).
_BATCH_9_TRAPS = {("en_kyivpost_2022-04-09_kramatorsk", "Thousands of civilians, mostly women"),
                  ("en_kyivpost_2022-04-09_kramatorsk", "around 4,000 people were in and around the station")}

# Two batch-10 traps were read as figures at its first score: worshippers gathered at a mosque ('as
# hundreds of worshippers gathered', read as wounded) and students reunited with their families
# ('reunited about 300 students', read as evacuated) (BATCH10_FIRST_SCORE.md).
_BATCH_10_TRAPS = {("en_channelstv_2023-12-05_tudunbiri", "hundreds of worshippers gathered around the mosque"),
                   ("en_thestandard_2015-04-03_garissa", "reunited about 300 students with their families")}

# Three batch-11 traps were read as figures at its first score: surgical supplies for a number of
# patients ('لعلاج 300 مريض', read as killed, as batch 7's supplies once were), evacuation centres
# ('in 79 evacuation centres', read as evacuated) and a town's population of which a percentage left
# ("About 90% of the city's 200,000 residents have left", read as evacuated) (BATCH11_FIRST_SCORE.md).
_BATCH_11_TRAPS = {("ar_alkhaleej_2016-10-09_sanaa", "لعلاج 300 مريض"),
                   ("en_rappler_2017-06-20_marawi", "in 79 evacuation centres"),
                   ("en_rappler_2017-06-20_marawi", "About 90% of the city's 200,000 residents")}

# Two batch-12 traps were read as figures at its first score: a dead woman's children ('أم لخمسة
# أطفال', read as wounded) and a count of bombings ('التفجيرات الانتحارية الثلاثة', read as killed)
# (BATCH12_FIRST_SCORE.md). Neither is read since e6f6df3 (kinship and event nouns): they are no
# longer expected failures.

# Three batch-13 traps were read as figures at its first score: a town's own residents ('سكانها
# البالغ عددهم 40 ألفاً', read by ar.figure.their_count), people gathered at a hospital ('around 200
# lawyers and journalists gathered', read as present) and a witness ('One man, who asked not to be
# named', read as killed) (BATCH13_FIRST_SCORE.md).
_BATCH_13_TRAPS = {("ar_aliwaa_2017-08-03_arsal", "البالغ عددهم 40 ألفاً"),
                   ("en_tribune_2016-08-09_quetta", "around 200 lawyers and journalists gathered"),
                   ("en_dw_2019-06-13_sobaneda", "One man, who asked not to be named")}
_BATCH_14_TRAPS = {("en_pravda_2023-10-06_hroza", "roughly 60 people had gathered"),
                   ("en_theeastafrican_2022-12-08_kishishe", "interviewed 52 victims and witnesses")}
_BATCH_15_TRAPS = {("ar_eremnews_2019-07-04_tajoura", "عنبراً يضم نحو 120 شخصاً")}
# (batch 16's one trap read at its first score, mourners preparing a funeral, 'ويستعد الآلاف من
# أهالي القديح لتشييع', is no longer read since the gatherings of the outcome packs)
# people at the gathering the drone struck ("كان يجتمع فيها نحو 50 شخصاً"), read at batch 17's first score
_BATCH_17_TRAPS = {("ar_libyaobserver_2019-08-05_murzuq", "نحو 50 شخصاً")}
# (batch 18's three traps read at its first score, young men queuing where the bomber struck ('نحو
# ٣٠٠ شاب كانوا ينتظرون'), a mosque's worshippers ('المئات من سكان الحي') and burnt buses ('احتراق سبع
# حافلات'), are no longer read: waiting is no outcome, a place's usual crowd is latent
# (ar.figure.frequented), and buses count only people moved)
_BATCH_18_TRAPS: set = set()

# a tribal meeting's attendees where the bombers struck ('نحو 60 من شيوخ العشائر') and supplies for
# a number of wounded ('medical supplies for 50 wounded people'), read at batch 19's first score
_BATCH_19_TRAPS = {("ar_alsharq_2019-07-14_kismayo", "نحو 60 من شيوخ العشائر"),
                   ("en_icrc_2024-02-20_wabag", "for 50 wounded people")}

# (doc, quote) -> why a trap is still expected to be read
_STILL_READ = {key: reason for traps, reason in [
    (_KNOWN_TRAPS, "families have no unit yet"), (_BATCH_8_TRAPS, "batch 8: still read"),
    (_BATCH_9_TRAPS, "batch 9: still read"), (_BATCH_10_TRAPS, "batch 10: still read"),
    (_BATCH_11_TRAPS, "batch 11: still read"), (_BATCH_13_TRAPS, "batch 13: still read"),
    (_BATCH_14_TRAPS, "batch 14: still read"), (_BATCH_15_TRAPS, "batch 15: still read"),
    (_BATCH_17_TRAPS, "batch 17: still read"),
    (_BATCH_18_TRAPS, "batch 18: still read"),
    (_BATCH_19_TRAPS, "batch 19: still read"),
] for key in traps}


def _trap_case(trap):
    reason = _STILL_READ.get((trap["doc"], trap["quote"]))
    return pytest.param(trap, marks=pytest.mark.xfail(reason=reason, strict=False)) if reason else trap


_TRAP_CASES = [_trap_case(t) for t in TRAPS]


@pytest.mark.parametrize("trap", _TRAP_CASES, ids=lambda t: f"{t['doc'][:12]}:{t['why']}")
def test_traps_are_never_figures(extraction, texts, trap):
    assert figures_inside_trap(extraction.figures, texts, trap) == []


def test_offsets_point_at_the_number(extraction, texts):
    for f in extraction.figures:
        assert texts[f.doc_id][f.start:f.end] == f.number_text
