"""parse_config on valid configs: what it finds (objects, controls, labels, data fields)."""

from tessera.domain.config import ControlTag, LabelConfig, ObjectTag, parse_config

SENTIMENT = """
<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text" choice="single">
    <Choice value="Positive"/><Choice value="Negative"/>
  </Choices>
</View>
"""


def test_parse_finds_objects_and_controls():
    config = parse_config(SENTIMENT)
    assert isinstance(config, LabelConfig)
    assert config.xml == SENTIMENT
    text = config.objects["text"]
    assert isinstance(text, ObjectTag)
    assert (text.name, text.tag, text.value_field, text.attrs) == (
        "text",
        "Text",
        "text",
        {"name": "text", "value": "$text"},
    )
    sentiment = config.controls["sentiment"]
    assert isinstance(sentiment, ControlTag)
    assert sentiment.tag == "Choices"
    assert sentiment.to_names == ["text"]
    assert sentiment.labels == ["Positive", "Negative"]
    assert sentiment.result_type == "choices"
    assert sentiment.attrs["choice"] == "single"
    assert config.data_fields == ["text"]


def test_result_types_are_lower_case_tag_names():
    config = parse_config("""
    <View><Image name="img" value="$image"/>
      <RectangleLabels name="box" toName="img"><Label value="Cat"/></RectangleLabels>
      <TextArea name="caption" toName="img"/><Rating name="stars" toName="img"/>
      <Number name="n" toName="img"/><DateTime name="when" toName="img"/>
    </View>""")
    types = {name: c.result_type for name, c in config.controls.items()}
    assert types == {
        "box": "rectanglelabels",
        "caption": "textarea",
        "stars": "rating",
        "n": "number",
        "when": "datetime",
    }


def test_label_alias_is_the_stored_value():
    config = parse_config(
        '<View><Text name="t" value="$t"/><Labels name="l" toName="t">'
        '<Label value="Person" alias="PER"/><Label value="ORG"/></Labels></View>'
    )
    assert config.controls["l"].labels == ["PER", "ORG"]


def test_nested_choices_give_flat_labels_and_paths():
    config = parse_config("""
    <View><Text name="t" value="$t"/>
      <Taxonomy name="tax" toName="t">
        <Choice value="Animal"><Choice value="Mammal"/><Choice value="Bird"/></Choice>
        <Choice value="Plant"/>
      </Taxonomy>
    </View>""")
    tax = config.controls["tax"]
    assert tax.labels == ["Animal", "Mammal", "Bird", "Plant"]
    assert tax.paths == [("Animal",), ("Animal", "Mammal"), ("Animal", "Bird"), ("Plant",)]


def test_choices_inside_nested_views_belong_to_their_control():
    config = parse_config(
        '<View><Text name="t" value="$t"/><Choices name="c" toName="t">'
        '<View><Header value="Group"/><Choice value="A"/></View><Choice value="B"/></Choices></View>'
    )
    assert config.controls["c"].labels == ["A", "B"]


def test_data_fields_take_the_top_level_key():
    config = parse_config("""
    <View>
      <Text name="a" value="$doc.title"/>
      <Image name="pages" valueList="$pages"/>
      <Paragraphs name="p" value="$dialog" audioUrl="$audio"/>
      <Text name="literal" value="Read this first."/>
      <Text name="again" value="$doc"/>
    </View>""")
    assert config.data_fields == ["doc", "pages", "dialog", "audio"]
    assert config.objects["literal"].value_field is None
    assert config.objects["pages"].value == "$pages"


def test_repeater_reads_its_list_field():
    config = parse_config("""
    <View>
      <Repeater on="$images" indexFlag="{{idx}}">
        <Image name="image_{{idx}}" value="$images[{{idx}}].url"/>
        <Choices name="c_{{idx}}" toName="image_{{idx}}"><Choice value="ok"/></Choices>
      </Repeater>
    </View>""")
    assert config.data_fields == ["images"]
    assert config.controls["c_{{idx}}"].to_names == ["image_{{idx}}"]


def test_dynamic_options_are_not_data_fields_and_allow_no_children():
    config = parse_config('<View><Text name="t" value="$text"/><Choices name="c" toName="t" value="$options"/></View>')
    assert config.controls["c"].dynamic_labels is True
    assert config.controls["c"].labels == []
    assert config.data_fields == ["text"]


def test_missing_fields():
    config = parse_config('<View><Text name="a" value="$a"/><Image name="b" value="$b"/></View>')
    assert config.missing_fields({"a": "x", "b": "y", "c": 1}) == []
    assert config.missing_fields({"a": "x"}) == ["b"]
    assert config.missing_fields({}) == ["a", "b"]
    assert config.missing_fields({"a": None, "b": ""}) == []


def test_first_text_field():
    assert parse_config(SENTIMENT).first_text_field() == "text"
    two = parse_config('<View><Text name="a" value="$a"/><Text name="b" value="$b"/></View>')
    assert two.first_text_field() is None
    same = parse_config('<View><Text name="a" value="$x"/><Header value="h"/><Text name="b" value="$x"/></View>')
    assert same.first_text_field() == "x"
    literal = parse_config('<View><Text name="a" value="hello"/></View>')
    assert literal.first_text_field() is None


def test_pairwise_to_name_lists_both_objects():
    config = parse_config(
        '<View><Text name="a" value="$a"/><Text name="b" value="$b"/><Pairwise name="pw" toName="a,b"/></View>'
    )
    assert config.controls["pw"].to_names == ["a", "b"]
    assert config.controls["pw"].result_type == "pairwise"


def test_tag_names_match_case_insensitively_like_the_editor():
    config = parse_config(
        '<view><text name="t" value="$t"/><choices name="c" toName="t"><choice value="A"/></choices></view>'
    )
    assert config.controls["c"].result_type == "choices"
    assert config.controls["c"].labels == ["A"]


def test_visual_tags_comments_css_and_html_are_accepted():
    config = parse_config("""<View>
      <!-- a comment -->
      <Style>.big { font-size: 2em; } a > b { color: red }</Style>
      <Header value="Read $title"/>
      <Collapse><Panel value="More"><div><p>Some <b>html</b></p><img src="x.png"/></div></Panel></Collapse>
      <Filter name="f" toName="l" minlength="0"/>
      <Text name="t" value="$text"/>
      <Labels name="l" toName="t"><Label value="A"/></Labels>
      <TextArea name="ta" toName="t"><Shortcut value="yes" hotkey="y"/></TextArea>
    </View>
    <!-- {"data": {"text": "sample task"}} -->""")
    assert set(config.controls) == {"l", "ta"}
    assert config.data_fields == ["text"]


def test_control_without_to_name_is_free_standing():
    config = parse_config('<View><Text name="t" value="$t"/><Rating name="r" maxRating="7"/></View>')
    assert config.controls["r"].to_names == []


def test_time_series_channels_and_ranker_buckets():
    config = parse_config("""<View>
      <TimeSeries name="ts" value="$csv" valueType="url" timeColumn="time">
        <Channel column="a"/><MultiChannel><Channel column="b"/></MultiChannel>
      </TimeSeries>
      <TimeSeriesLabels name="tsl" toName="ts"><Label value="Run"/></TimeSeriesLabels>
      <List name="items" value="$items"/>
      <Ranker name="rank" toName="items">
        <Bucket name="good" title="Good"/><Bucket name="bad" title="Bad"/>
      </Ranker>
    </View>""")
    assert config.controls["rank"].buckets == ["good", "bad"]
    assert config.data_fields == ["csv", "items"]


def test_relations_labels_are_collected():
    config = parse_config(
        '<View><Text name="t" value="$t"/><Labels name="l" toName="t"><Label value="A"/></Labels>'
        '<Relations><Relation value="rel1"/><Relation value="rel2"/></Relations></View>'
    )
    assert config.relation_labels == ["rel1", "rel2"]
    assert "Relations" not in {c.tag for c in config.controls.values()}
