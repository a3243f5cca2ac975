// Every tag module; importing this file registers them all.
import "./layout.js";
import "./text.js";
import "./hypertext.js";
import "./paragraphs.js";
import "./audio.js";
import "./table.js";
import "./image.js";
import "./labels.js";
import "./choices.js";
import "./textarea.js";
import "./rating.js";
import "./number.js";
import "./datetime.js";
import "./taxonomy.js";
import "./pairwise.js";
import "./ranker.js";
import "./relations.js";
