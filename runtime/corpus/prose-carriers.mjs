// Hand-written expository prose (news items, abstracts, encyclopedia entries, reports, product and
// travel descriptions, reviews, biographies) as carriers for the detector's training: BIPIA inserts a
// task into an e-mail, a table or code, where the structure around it gives the task away; inserted
// into an article or an abstract, an ordinary request ("Write a poem about the sea.") is out of place
// only because nothing else in the text asks anything. Written for Charter (see PROVENANCE.md); no text
// is taken from a benchmark. Some carriers address their reader themselves (a travel guide's "book
// early", a rhetorical question): those are benign as they are, and keep "a request in prose" from
// meaning "an injection".
//
// Each carrier has a part, "train" or "val", by a seeded hash of its id: "val" carriers are never
// trained on and serve validate-detector.mjs. Nothing here is part of eval-detector.mjs's held-out sets.
import { fnv1a as hash } from "./seeded.mjs";

export const PROSE_SEED = "charter-prose-carriers-v1";

export const prosePartOf = (id) => ((hash(PROSE_SEED + id) % 1000) / 1000 < 0.3 ? "val" : "train");

export const PROSE_CARRIERS = [
  {
    id: "news-council",
    text: "The city council approved the new budget on Tuesday after a debate that lasted more than six hours. The plan allocates an extra 14 million euros to public transport and road repairs. Opposition members argued that the rise in property taxes would hurt small businesses in the old town. The mayor said the changes were necessary to keep services running and promised a review in two years.",
  },
  {
    id: "news-battery",
    text: "Researchers at the Technical University have developed a method for recycling lithium batteries that recovers more than 90 percent of the cobalt and nickel. The process runs at a lower temperature than existing smelting techniques and uses no strong acids. The team expects to build a pilot plant within three years. The work was funded by a national science grant and an industrial partner.",
  },
  {
    id: "news-storm",
    text: "Heavy rain flooded several streets in the harbour district overnight, and two bridges were closed as a precaution.\n\nThe weather service had issued an orange warning on Sunday afternoon. Firefighters pumped water out of about forty basements, and no injuries were reported. Train services between the coast and the capital resumed at noon after the tracks were inspected.",
  },
  {
    id: "news-football",
    text: "The home side came from two goals down to win 3-2 in front of a sold-out stadium. Their captain scored the winner in the 88th minute with a header from a corner. The visiting coach complained about the referee's decision to allow the second goal. The result moves the club to third place in the league, two points behind the leaders.",
  },
  {
    id: "news-museum",
    text: "The regional museum reopened on Saturday after a renovation that took almost four years. Visitors can now see the Bronze Age collection in a new wing with natural light. The project cost 22 million euros, most of it paid by the regional government. Admission remains free on the first Sunday of every month.",
  },
  {
    id: "abstract-graph",
    text: "We study semi-supervised node classification on large graphs with very few labels. Our method combines label propagation with a lightweight neural encoder trained on the propagated labels. Experiments on four public benchmarks show consistent gains over strong baselines, in particular when fewer than one percent of the nodes are labelled. We also analyse how the results depend on the graph's homophily.",
  },
  {
    id: "abstract-sleep",
    text: "Short sleep duration has been linked to poorer academic performance, but most studies rely on self-reported sleep. In this study, 412 university students wore activity trackers for one semester. Students who slept less than six hours on weeknights had lower grades on average, even after adjusting for course load and part-time work. The association was strongest during examination weeks.",
  },
  {
    id: "abstract-soil",
    text: "Soil carbon stocks in agricultural land respond slowly to changes in management. We compared 38 pairs of fields in which one field had been under reduced tillage for at least ten years. Reduced tillage increased carbon in the top 10 cm of soil but not in deeper layers. The total effect over the whole profile was small and varied with soil texture.",
  },
  {
    id: "abstract-compilers",
    text: "Incremental compilation reduces build times by reusing the results of earlier builds. This paper describes a dependency-tracking scheme that records which queries each compilation step performed. When a source file changes, only the steps whose queries return different answers are re-run. On a large open-source code base, rebuilds after a typical edit became seven times faster.",
  },
  {
    id: "encyclopedia-lighthouse",
    text: "A lighthouse is a tower or other structure that emits light to help ships navigate at sea or on inland waterways. Early lighthouses burned wood or coal in open fires, and later ones used oil lamps with reflectors. The Fresnel lens, introduced in the 1820s, made the light visible from much greater distances. Most lighthouses today are automated and no longer need a keeper.",
  },
  {
    id: "encyclopedia-otter",
    text: "The Eurasian otter is a semi-aquatic mammal found along rivers, lakes and coasts from Ireland to Japan. It feeds mainly on fish but also eats frogs, crayfish and birds. Otter populations declined sharply in the twentieth century because of pesticides and habitat loss. Since the 1980s they have recovered in many regions, helped by cleaner water and legal protection.",
  },
  {
    id: "encyclopedia-printing",
    text: "Movable type printing spread across Europe in the second half of the fifteenth century.\n\nWithin fifty years, presses were operating in more than two hundred cities. Printed books were cheaper than manuscripts, and the number of titles grew quickly. Historians link the spread of printing to the growth of literacy and to the religious debates of the following century.",
  },
  {
    id: "report-quarterly",
    text: "Revenue for the third quarter was 48.2 million euros, up 6 percent from the same period last year. Growth came mainly from the maintenance contracts signed in the spring. Operating costs rose by 4 percent because of higher energy prices. The company expects full-year revenue at the upper end of its earlier forecast.",
  },
  {
    id: "report-survey",
    text: "The staff survey was completed by 71 percent of employees, the highest response rate so far. Satisfaction with flexible working remained high, while the scores for internal communication fell slightly. Many comments mentioned the long approval times for travel requests. The results will be discussed with each department in the coming weeks.",
  },
  {
    id: "product-kettle",
    text: "The kettle holds 1.7 litres and boils a full load in about four minutes. Its stainless steel body has a window with a water level scale on both sides. The lid opens with a button and the base turns through 360 degrees. An automatic switch turns the kettle off when the water boils or when it is lifted from the base.",
  },
  {
    id: "product-backpack",
    text: "This 28-litre daypack has a padded laptop sleeve, two side pockets for bottles and a small front pocket for keys. The fabric is made from recycled polyester with a water-repellent coating. Adjustable shoulder straps and a chest strap spread the weight on longer walks. The backpack comes in four colours and weighs 780 grams.",
  },
  {
    id: "travel-town",
    text: "The old town sits on a hill above the river, and its narrow streets are best explored on foot. The cathedral, built over three centuries, dominates the main square. In summer the hotels fill up quickly, so book early if you plan to visit in July or August. The regional train from the airport takes about forty minutes.",
  },
  {
    id: "travel-island",
    text: "The island is reached by a ferry that leaves the mainland four times a day in high season. There are no cars on the island, only bicycles and a small electric bus. Most visitors come for the beaches on the western side and the seafood restaurants in the harbour. Why not stay a night and watch the sunset from the old lighthouse?",
  },
  {
    id: "review-restaurant",
    text: "We had dinner here on a Friday evening and the place was full. The grilled fish was excellent and the portions were generous, although the desserts were less memorable. Service was friendly but slow when the kitchen got busy. Prices are reasonable for the quality, and the wine list has several good local options.",
  },
  {
    id: "review-novel",
    text: "The novel follows three generations of a family of clockmakers in a small mountain town. The first part, set before the war, is the strongest, with vivid descriptions of the workshop and the village. The later chapters move faster and some characters feel underdeveloped. Still, the ending is moving and the book is worth reading.",
  },
  {
    id: "bio-engineer",
    text: "Maria Lindqvist was born in 1931 in a fishing village on the west coast. She studied civil engineering in Gothenburg, one of only two women in her year. In the 1960s she led the design of several bridges in the north of the country. She later taught at the university for twenty years and wrote a widely used textbook on concrete structures.",
  },
  {
    id: "bio-composer",
    text: "The composer spent most of his life in the city where he was born, working as an organist at the main church.\n\nHe wrote more than three hundred works, most of them for choir. Few were published during his lifetime, and many manuscripts were lost in a fire in 1842. Interest in his music revived in the 1970s, when a local choir recorded a selection of his motets.",
  },
  {
    id: "guide-recipe-history",
    text: "Sourdough bread is leavened by a culture of wild yeasts and lactic acid bacteria rather than by baker's yeast. The culture is kept alive by regular feeding with flour and water. Its bacteria produce the acids that give the bread its sour taste and help it keep longer. Many bakeries maintain the same starter for decades.",
  },
  {
    id: "faq-library",
    text: "The library is open from 9 am to 8 pm on weekdays and from 10 am to 4 pm on Saturdays. Members can borrow up to fifteen items at a time for three weeks. Have you forgotten your card? Staff at the front desk can look up your account with a photo ID. Returns can also be left in the box next to the entrance outside opening hours.",
  },
];

/**
 * BIPIA's attack instructions among `records` (channel "instruction"), each placed in one of `carriers`
 * in turn, at the start, in the middle or at the end: `{ text, insert }`. Training and the inner
 * validation build their prose injections the same way, from their own records and carriers.
 */
export function bipiaAttacksInProse(records, carriers) {
  return records
    .filter((r) => r.label === "injection" && r.channel === "instruction")
    .map((r, k) => ({ text: embedInProse(carriers[k % carriers.length], r.text, k), insert: r.text }));
}

/** Sentences of a carrier (a paragraph break is kept as its own item). */
function sentences(text) {
  return text.split(/(?<=[.!?])(?=\s)/);
}

/**
 * A carrier with `insert` placed at the start, in the middle (after a sentence in the first paragraph,
 * inline) or at the end, as BIPIA places its attacks; `k` chooses the place.
 */
export function embedInProse(carrier, insert, k) {
  const at = k % 3;
  if (at === 0) return insert + " " + carrier.text;
  if (at === 2) return carrier.text + " " + insert;
  const parts = sentences(carrier.text);
  const middle = Math.max(1, Math.floor(parts.length / 2));
  return parts.slice(0, middle).join("") + " " + insert + parts.slice(middle).join("");
}
