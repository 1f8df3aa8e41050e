//! `detente import ktab FILE.xml`: KTAB's XML scenario format read into the same scenario as its
//! CSV format, its model parameters and ideal-adjustment pairs carried over, and every problem of
//! a malformed file reported with its line and column.

mod common;
use common::detente;

use std::path::Path;

use detente::engines::import::{bdm_csv, ktab_csv, ktab_xml};
use detente::scenario::{Scenario, load_str};

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// Imports `path` with `import` and loads the result as detente's scenario loader does.
fn imported(
    path: &str,
    import: fn(&str, &Path) -> Result<String, Vec<detente::scenario::Diagnostic>>,
) -> Scenario {
    let text = import(&read(path), Path::new(path))
        .unwrap_or_else(|e| panic!("{path} does not import: {e:?}"));
    load_str(&text, Path::new("imported.ron"), &[])
        .unwrap_or_else(|e| panic!("the import of {path} does not load:\n{e}\n{text}"))
        .scenario
}

/// The problems `ktab_xml` finds in `path`, one line each (`file:line:column: message`).
fn problems(path: &str) -> Vec<String> {
    let errors = ktab_xml(&read(path), Path::new(path))
        .expect_err("the file is malformed, the import must fail");
    errors
        .iter()
        .map(|d| d.to_string().lines().next().unwrap().to_owned())
        .collect()
}

#[test]
fn the_xml_and_csv_forms_of_dummy_3dim_give_the_same_scenario() {
    let xml = imported("tests/data/import/ktab-dummy-3dim.xml", ktab_xml);
    let csv = imported("tests/data/import/ktab-dummy-3dim.csv", ktab_csv);
    assert_eq!(xml.name, "DummyData_3Dim");
    assert_eq!(xml.description, "Dummy scenario to test reading format");
    let ids = |s: &Scenario| s.issues.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&xml), ["dim1", "dim2", "dim3"]);
    assert_eq!(ids(&xml), ids(&csv));
    assert_eq!(xml.actors.len(), 7);
    assert_eq!(xml.actors.len(), csv.actors.len());
    for (x, c) in xml.actors.iter().zip(&csv.actors) {
        assert_eq!(x.id, c.id);
        assert_eq!(x.name, c.name);
        assert_eq!(x.capability, c.capability, "{}", x.id);
        assert_eq!(x.ideal, c.ideal, "{}", x.id);
        assert_eq!(x.salience, c.salience, "{}", x.id);
    }
    assert_eq!(xml.actors[0].id, "sactor-00");
    assert_eq!(xml.actors[0].capability, 102.543);
    assert_eq!(xml.actors[0].ideal, [75.79, 6.37, 70.45]);
    assert_eq!(xml.actors[0].salience, [0.4953, 0.0591, 0.2815]);
    // The file's model parameters are those of the reference run, KTAB's defaults: the same
    // engine as the CSV import, which gives none.
    assert_eq!(xml.engine, csv.engine);
}

#[test]
fn the_model_parameters_are_written_as_the_engine_settings() {
    let path = "tests/data/import/ktab-dummy-3dim.xml";
    let out = ktab_xml(&read(path), Path::new(path)).unwrap();
    for setting in [
        "vpm: Linear,",
        "voting_rule: Proportional,",
        "pce: Conditional,",
        "transitions: Deterministic,",
        "big_r_range: Mid,",
        "big_r_adjust: OneThird,",
        "third_party: Semi,",
        "inter_vec_brgn: S2P2,",
        "bargn_model: InitOnlyInterp,",
    ] {
        assert!(out.contains(setting), "no `{setting}` in:\n{out}");
    }
    // Identity accommodation: nothing to write.
    assert!(!out.contains("ideal_accommodation"), "{out}");
    assert!(out.contains("KTAB's PRNG seed for this scenario: 03707583219545544125"));
}

#[test]
fn ideal_adjustment_pairs_become_the_entries_that_differ_from_the_identity() {
    // KTAB's own smpExample.xml: stochastic transitions and six adjustment pairs.
    let path = "tests/data/import/ktab-smp-example.xml";
    let out = ktab_xml(&read(path), Path::new(path)).unwrap();
    for expected in [
        "transitions: Stochastic,",
        "voting_rule: PropCbc,",
        "pce: MarkovIncentive,",
        "ideal_accommodation: [",
        "(actor: \"alice\", toward: \"alice\", rate: 0.87),",
        "(actor: \"bob\", toward: \"alice\", rate: 0.07),",
        "(actor: \"bob\", toward: \"bob\", rate: 0.75),",
        "(actor: \"carol\", toward: \"david\", rate: 0.13),",
        "(actor: \"david\", toward: \"david\", rate: 0.57),",
    ] {
        assert!(out.contains(expected), "no `{expected}` in:\n{out}");
    }
    // Ellie keeps the identity row: no entry.
    assert!(!out.contains("\"ellie\", toward"), "{out}");

    // Pairs that restate the identity matrix are not written.
    let text = read("tests/data/import/ktab-dummy-3dim.xml").replace(
        "</Actors>",
        "</Actors>
  <IdealAdjustment>
    <iaPair><adjustingIdeal>SActor-01</adjustingIdeal><referencePos>SActor-01</referencePos><adjust>1</adjust></iaPair>
    <iaPair><adjustingIdeal>SActor-01</adjustingIdeal><referencePos>SActor-02</referencePos><adjust>0</adjust></iaPair>
    <iaPair><adjustingIdeal>SActor-02</adjustingIdeal><referencePos>SActor-02</referencePos><adjust>0.5</adjust></iaPair>
    <iaPair><adjustingIdeal>SActor-02</adjustingIdeal><referencePos>SActor-00</referencePos><adjust>0.5</adjust></iaPair>
  </IdealAdjustment>",
    );
    let out = ktab_xml(&text, Path::new("adjusted.xml")).unwrap();
    let entries: Vec<&str> = out.lines().filter(|l| l.contains("toward:")).collect();
    assert_eq!(
        entries,
        [
            "            (actor: \"sactor-02\", toward: \"sactor-00\", rate: 0.5),",
            "            (actor: \"sactor-02\", toward: \"sactor-02\", rate: 0.5),",
        ],
        "{out}"
    );
}

#[test]
fn the_cli_reads_xml_by_the_file_name_in_any_case() {
    let o = detente(&["import", "ktab", "tests/data/import/ktab-dummy-3dim.xml"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("engine: SpatialModel(\n        vpm: Linear,"),
        "{out}"
    );
    let dir = std::env::temp_dir().join(format!("detente-import-xml-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let upper = dir.join("DUMMY.XML");
    std::fs::copy("tests/data/import/ktab-dummy-3dim.xml", &upper).unwrap();
    let ron = dir.join("dummy.ron");
    let o = detente(&[
        "import",
        "ktab",
        upper.to_str().unwrap(),
        "--out",
        ron.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = detente(&["check", ron.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("spatial-model engine, 7 actors, 3 issues"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // A malformed file writes nothing.
    let bad = dir.join("bad.ron");
    let o = detente(&[
        "import",
        "ktab",
        "tests/data/import/ktab-invalid.xml",
        "--out",
        bad.to_str().unwrap(),
    ]);
    assert!(!o.status.success() && !bad.exists());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("ktab-invalid.xml:23:19: A: capability: `high` is not a number"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn xml_that_is_not_well_formed_is_reported_where_it_breaks() {
    assert_eq!(
        problems("tests/data/import/ktab-broken.xml"),
        [
            "error: tests/data/import/ktab-broken.xml:12:21: not well-formed XML: expected \
             'capability' tag, not 'capabilty'"
        ]
    );
    let errors = ktab_xml("<Scenario><name>x</name>", Path::new("cut.xml")).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].location, Some((1, 25)), "{}", errors[0]);
}

#[test]
fn every_malformed_element_is_reported_with_its_line_and_column() {
    let p = problems("tests/data/import/ktab-invalid.xml");
    let expected = [
        "ktab-invalid.xml:8:23: StateTransitions: `Sometimes` is not one of `Deterministic`, \
         `Stochastic`",
        "ktab-invalid.xml:5:3: `<ModelParameters>` has no `<BargnModel>`",
        "ktab-invalid.xml:23:19: A: capability: `high` is not a number",
        "ktab-invalid.xml:31:25: B: position: 120 is outside 0..100",
        "ktab-invalid.xml:32:7: B: salience: 1 `<dSal>` for 2 dimensions",
        "ktab-invalid.xml:52:21: referencePos: no actor is named `Dave`",
        "ktab-invalid.xml:55:5: the adjustments of C's ideal sum to 1.25, more than 1",
    ];
    assert_eq!(p.len(), expected.len(), "{p:#?}");
    for (got, want) in p.iter().zip(expected) {
        assert!(got.contains(want), "expected `{want}`, got `{got}`");
    }

    // KTAB's example.xml, written for an older schema: its three unknown parameters, the nine
    // missing ones and the positions with two coordinates for three dimensions.
    let p = problems("tests/data/import/ktab-example-old-schema.xml");
    assert!(
        p.iter().any(|e| e.contains(
            "ktab-example-old-schema.xml:9:5: unknown element `<ResolutionVoting>` in \
             `<ModelParameters>`"
        )),
        "{p:#?}"
    );
    assert!(
        p.iter().any(|e| e.contains(
            "ktab-example-old-schema.xml:7:3: `<ModelParameters>` has no `<VictoryProbModel>`"
        )),
        "{p:#?}"
    );
    assert!(
        p.iter()
            .any(|e| e
                .contains("ktab-example-old-schema.xml:24:7: Alice: position: 2 `<dCoord>` for 3")),
        "{p:#?}"
    );
    assert_eq!(
        p.iter()
            .filter(|e| e.contains("`<dCoord>` for 3") || e.contains("`<dSal>` for 3"))
            .count(),
        6,
        "{p:#?}"
    );
}

#[test]
fn bdm_tables_of_other_replications_import() {
    // `Stakeholder, Resources, Position, Salience` with saliences on 0-100.
    let china = imported("tests/data/import/bdm-china.csv", bdm_csv);
    assert_eq!(china.actors.len(), 24);
    assert_eq!(china.actors[0].id, "zeming");
    assert_eq!(china.actors[0].capability, 80.0);
    assert_eq!(china.actors[0].ideal, [25.0]);
    assert_eq!(china.actors[0].salience, [0.5]);
    // Saliences on 0-1 stay as they are.
    let honduras = imported("tests/data/import/bdm-honduras-crisis.csv", bdm_csv);
    assert_eq!(honduras.actors[2].name, "Costa Rica");
    assert_eq!(honduras.actors[2].salience, [0.3]);
    // Quoted fields.
    let quoted = "\"Actor\",\"Capability\",\"Position\",\"Salience\"\n\"A\",1,10,0.5\n\"B\",2,20,0.5\n\"C\",3,30,0.5\n";
    let out = bdm_csv(quoted, Path::new("quoted.csv")).unwrap();
    assert!(
        out.contains("Actor(id: \"a\", name: \"A\", capability: 1,"),
        "{out}"
    );
}
