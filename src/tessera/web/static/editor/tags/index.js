// Every tag module; importing this file registers them all.
import "./layout.js";
import "./text.js";
import "./media.js";
import "./image.js";
import "./labels.js";
import "./choices.js";
import "./textarea.js";
import "./scalar.js";
import "./taxonomy.js";
import "./pairwise.js";
import "./ranker.js";
import "./relations.js";
