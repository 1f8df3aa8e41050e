//! From the merged file tree ([`RawScenario`]) to a [`Scenario`] the model can trust.
//!
//! Validation never stops at the first problem: it reports every one, each with its field path
//! (`actors[3].salience.<issue>`), what is wrong and, for names, the closest valid one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::error::{Diagnostic, suggest};
use super::params::{PARAM_SPECS, Params, RawParams};
use super::raw::*;
use super::types::*;

/// Checks `raw` and builds the scenario, or returns every problem found. `claims` is the set of
/// claim ids of the scenario's digest (`None` when it names none).
pub fn validate(
    raw: &RawScenario,
    file: &Path,
    claims: Option<&BTreeSet<String>>,
) -> Result<Scenario, Vec<Diagnostic>> {
    let mut v = Validator {
        file,
        claims,
        errors: Vec::new(),
        reference: !matches!(raw.engine, None | Some(RawEngine::Negotiation)),
    };
    let scenario = v.scenario(raw);
    if v.errors.is_empty() {
        Ok(scenario)
    } else {
        Err(collapse_follow_ons(v.errors))
    }
}

/// A duplicate id makes every later use of it ambiguous, and validation then reports problems
/// that are only its consequences (a leader that seems to be a faction, a faction missing from
/// its side). Those that name a duplicated id are left out, and the duplicate's help says how
/// many, so the first cause stands alone.
fn collapse_follow_ons(errors: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let duplicated: Vec<String> = errors
        .iter()
        .filter_map(|d| d.message.strip_prefix("duplicate id "))
        .map(str::to_string)
        .collect();
    if duplicated.is_empty() {
        return errors;
    }
    let (mut kept, mut dropped) = (Vec::new(), BTreeMap::<String, usize>::new());
    for d in errors {
        let follow_on = if d.message.starts_with("duplicate id ") {
            None
        } else {
            duplicated.iter().find(|id| d.message.contains(id.as_str()))
        };
        match follow_on {
            Some(id) => *dropped.entry(id.clone()).or_insert(0) += 1,
            None => kept.push(d),
        }
    }
    for d in &mut kept {
        if let Some(id) = d.message.strip_prefix("duplicate id ")
            && let Some(n) = dropped.remove(id)
        {
            let note = if n == 1 {
                format!("1 further problem that names {id} follows from it and is not shown")
            } else {
                format!("{n} further problems that name {id} follow from it and are not shown")
            };
            d.help = Some(match d.help.take() {
                Some(h) => format!("{h}; {note}"),
                None => note,
            });
        }
    }
    kept
}

struct Validator<'a> {
    file: &'a Path,
    claims: Option<&'a BTreeSet<String>>,
    errors: Vec<Diagnostic>,
    /// A reference engine runs the scenario: sides, rounds and roles are optional, capabilities
    /// are required.
    reference: bool,
}

/// Names known at validation time, for resolving references.
struct Names {
    issues: Vec<String>,
    sides: Vec<String>,
    actors: Vec<String>,
}

const POSITION: (f64, f64) = (0.0, 100.0);
const SHARE: (f64, f64) = (0.0, 1.0);

impl Validator<'_> {
    fn error(
        &mut self,
        field: impl Into<String>,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let mut d = Diagnostic::new(message).in_file(self.file).at_field(field);
        d.help = help;
        self.errors.push(d);
    }

    /// A number in `range`; a missing one takes `default` or is an error.
    fn num(&mut self, v: Option<Num>, field: &str, range: (f64, f64), default: Option<f64>) -> f64 {
        match (v, default) {
            (Some(Num(x)), _) => {
                if x < range.0 || x > range.1 {
                    self.error(
                        field,
                        format!("{x} is out of range"),
                        Some(format!("allowed: {} to {}", range.0, range.1)),
                    );
                }
                x
            }
            (None, Some(d)) => d,
            (None, None) => {
                self.error(
                    field,
                    "missing",
                    Some(format!("give a number from {} to {}", range.0, range.1)),
                );
                range.0
            }
        }
    }

    fn text(&mut self, v: &Option<String>, field: &str) -> String {
        match v {
            Some(s) => s.clone(),
            None => {
                self.error(field, "missing", None);
                String::new()
            }
        }
    }

    /// An identifier: present, non-empty, of letters, digits, `_` and `-`.
    fn ident(&mut self, v: &Option<String>, field: &str) -> String {
        let s = self.text(v, field);
        if v.is_some()
            && (s.is_empty()
                || !s
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-'))
        {
            self.error(
                field,
                format!("`{s}` is not a valid id"),
                Some("use letters, digits, `_` and `-`".into()),
            );
        }
        s
    }

    fn unique(&mut self, ids: &[String], list: &str) {
        let mut seen = BTreeMap::new();
        for (i, id) in ids.iter().enumerate() {
            if id.is_empty() {
                continue;
            }
            if let Some(first) = seen.insert(id.clone(), i) {
                self.error(
                    format!("{list}[{i}].id"),
                    format!("duplicate id `{id}`"),
                    Some(format!(
                        "{list}[{first}] already has it; ids must be unique"
                    )),
                );
            }
        }
    }

    /// Resolves a reference to one of `names`; errors say what was expected and what is close.
    fn reference(&mut self, id: &str, names: &[String], field: &str, what: &str) -> Option<usize> {
        let found = names.iter().position(|n| n == id);
        if found.is_none() {
            let list: Vec<&str> = names.iter().map(String::as_str).collect();
            self.error(
                field,
                format!("unknown {what} `{id}`"),
                Some(suggest(id, &list, &format!("{what}s"))),
            );
        }
        found
    }

    fn claim_list(&mut self, claims: &[String], field: &str) {
        for (i, c) in claims.iter().enumerate() {
            match self.claims {
                None => {
                    self.error(
                        format!("{field}[{i}]"),
                        format!("cites claim `{c}` but the scenario names no digest"),
                        Some("add `digest: Some(\"../seeds/<source>.ron\")`".into()),
                    );
                    return;
                }
                Some(known) if !known.contains(c) => {
                    let list: Vec<&str> = known.iter().map(String::as_str).collect();
                    self.error(
                        format!("{field}[{i}]"),
                        format!("unknown claim `{c}`"),
                        Some(suggest(c, &list, "claims")),
                    );
                }
                Some(_) => {}
            }
        }
    }

    /// Checks a `because` map: keys name a field of the item, claims exist.
    fn because(&mut self, b: &Option<Because>, field: &str, fields: &[&str]) {
        for (key, claims) in b.iter().flatten() {
            let head = key.split('.').next().unwrap_or_default();
            if !fields.contains(&head) {
                self.error(
                    format!("{field}.{key}"),
                    format!("`{head}` is not a field here"),
                    Some(suggest(head, fields, "fields")),
                );
            }
            self.claim_list(claims, &format!("{field}.{key}"));
        }
    }

    /// A per-issue map: keys must be issues; with `complete`, every issue must be present.
    fn per_issue(
        &mut self,
        m: Option<&BTreeMap<String, Num>>,
        field: &str,
        names: &Names,
        range: (f64, f64),
        complete: bool,
    ) -> Vec<Option<f64>> {
        let mut out = vec![None; names.issues.len()];
        let Some(m) = m else {
            if complete {
                self.error(
                    field,
                    "missing",
                    Some(format!(
                        "give a value for each issue: {}",
                        names.issues.join(", ")
                    )),
                );
            }
            return out;
        };
        for (k, v) in m {
            let f = format!("{field}.{k}");
            if let Some(i) = self.reference(k, &names.issues, &f, "issue") {
                out[i] = Some(self.num(Some(*v), &f, range, None));
            }
        }
        if complete {
            let missing: Vec<&str> = names
                .issues
                .iter()
                .zip(&out)
                .filter(|(_, v)| v.is_none())
                .map(|(n, _)| n.as_str())
                .collect();
            if !missing.is_empty() {
                self.error(
                    field,
                    format!("no value for issue(s) {}", missing.join(", ")),
                    Some("every issue needs one".into()),
                );
            }
        }
        out
    }

    fn scenario(&mut self, raw: &RawScenario) -> Scenario {
        let empty = Vec::new();
        let raw_issues = raw.issues.as_ref().unwrap_or(&empty);
        let raw_sides = raw.sides.as_ref().map_or(&[][..], |v| v);
        let raw_actors = raw.actors.as_ref().map_or(&[][..], |v| v);
        let raw_rounds = raw.rounds.as_ref().map_or(&[][..], |v| v);
        let raw_events = raw.events.as_ref().map_or(&[][..], |v| v);

        let name = self.text(&raw.name, "name");
        if raw_issues.is_empty() {
            self.error("issues", "a scenario needs at least one issue", None);
        }
        if !self.reference && raw_sides.len() != 2 {
            self.error(
                "sides",
                format!(
                    "the negotiation model is bilateral: a scenario needs two sides, found {}",
                    raw_sides.len()
                ),
                Some(
                    "put other actors in as third parties (role ThirdParty) with capabilities"
                        .into(),
                ),
            );
        }
        if !self.reference && raw_rounds.is_empty() {
            self.error("rounds", "a scenario needs at least one round", None);
        }

        let issue_ids: Vec<String> = raw_issues
            .iter()
            .enumerate()
            .map(|(i, x)| self.ident(&x.id, &format!("issues[{i}].id")))
            .collect();
        let side_ids: Vec<String> = raw_sides
            .iter()
            .enumerate()
            .map(|(i, x)| self.ident(&x.id, &format!("sides[{i}].id")))
            .collect();
        let actor_ids: Vec<String> = raw_actors
            .iter()
            .enumerate()
            .map(|(i, x)| self.ident(&x.id, &format!("actors[{i}].id")))
            .collect();
        let event_ids: Vec<String> = raw_events
            .iter()
            .enumerate()
            .map(|(i, x)| self.ident(&x.id, &format!("events[{i}].id")))
            .collect();
        self.unique(&issue_ids, "issues");
        self.unique(&side_ids, "sides");
        self.unique(&actor_ids, "actors");
        self.unique(&event_ids, "events");
        let names = Names {
            issues: issue_ids,
            sides: side_ids,
            actors: actor_ids,
        };

        let mut durability_issue = None;
        let issues = raw_issues
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let f = format!("issues[{i}]");
                if x.durability == Some(true) {
                    if let Some(first) = durability_issue {
                        self.error(
                            format!("{f}.durability"),
                            "only one issue can measure durability",
                            Some(format!("issues[{first}] already does")),
                        );
                    }
                    durability_issue = Some(i);
                }
                self.claim_list(
                    x.because.as_deref().unwrap_or_default(),
                    &format!("{f}.because"),
                );
                Issue {
                    id: names.issues[i].clone(),
                    low: x.low.clone().unwrap_or_default(),
                    high: x.high.clone().unwrap_or_default(),
                    status_quo: self.num(
                        x.status_quo,
                        &format!("{f}.status_quo"),
                        POSITION,
                        self.reference.then_some(0.0),
                    ),
                }
            })
            .collect();

        let actors: Vec<Actor> = raw_actors
            .iter()
            .enumerate()
            .map(|(i, a)| self.actor(a, i, &names))
            .collect();
        let sides: Vec<Side> = raw_sides
            .iter()
            .enumerate()
            .map(|(i, s)| self.side(s, i, &names, &actors))
            .collect();
        let leaders: Vec<Option<usize>> = raw_sides
            .iter()
            .map(|s| {
                s.leader
                    .as_ref()
                    .and_then(|l| names.actors.iter().position(|n| n == l))
            })
            .collect();
        self.roles(&actors, &sides, &leaders, &names);

        let calendar = self.calendar(raw_rounds);
        let rounds: Vec<Round> = raw_rounds
            .iter()
            .zip(calendar)
            .enumerate()
            .map(|(i, (r, (date, week, dt)))| {
                let f = format!("rounds[{i}]");
                self.claim_list(
                    r.because.as_deref().unwrap_or_default(),
                    &format!("{f}.because"),
                );
                let host = r
                    .host
                    .as_ref()
                    .and_then(|h| self.reference(h, &names.actors, &format!("{f}.host"), "actor"));
                if let Some(h) = host
                    && !actors[h]
                        .capabilities
                        .iter()
                        .any(|c| matches!(c, Capability::Mediate { .. }))
                {
                    self.error(
                        format!("{f}.host"),
                        format!(
                            "`{}` cannot host: it has no `Mediate` capability",
                            names.actors[h]
                        ),
                        None,
                    );
                }
                Round {
                    venue: self.text(&r.venue, &format!("{f}.venue")),
                    label: r
                        .label
                        .clone()
                        .unwrap_or_else(|| format!("Round {}", i + 1)),
                    host,
                    date,
                    week,
                    dt,
                }
            })
            .collect();

        let mut events = Vec::new();
        for (i, e) in raw_events.iter().enumerate() {
            if let Some(ev) = self.event(e, i, &names, &actors, &rounds)
                && e.enabled != Some(false)
            {
                events.push(ev);
            }
        }
        events.sort_by_key(|e| e.round);

        let params = self.params(raw.params.as_ref());
        let engine = self.engine(raw.engine.as_ref(), &names);
        if matches!(engine, Engine::SpatialModel(_)) {
            self.spatial_saliences(&actors);
        }
        Scenario {
            name,
            description: raw.description.clone().unwrap_or_default(),
            issues,
            durability_issue,
            sides,
            actors,
            rounds,
            events,
            params,
            engine,
        }
    }

    /// The spatial model weighs an actor's votes by its capability times the sum of its
    /// saliences, and measures distances with saliences as weights: each actor's saliences must
    /// sum to more than 0 and (as in KTAB, on its 0–100 scale) to at most 1.
    fn spatial_saliences(&mut self, actors: &[Actor]) {
        for (i, a) in actors.iter().enumerate() {
            let sum: f64 = a.salience.iter().sum();
            if sum <= 0.0 {
                self.error(
                    format!("actors[{i}].salience"),
                    format!("`{}` gives every issue salience 0", a.id),
                    Some(
                        "the spatial model needs each actor to care about some issue: give one \
                         a salience above 0, or leave the actor out"
                            .into(),
                    ),
                );
            } else if sum > 1.0 + 1e-9 {
                self.error(
                    format!("actors[{i}].salience"),
                    format!("`{}`'s saliences sum to {sum:.3}, above 1", a.id),
                    Some(
                        "in the spatial model saliences are shares of the actor's attention \
                         over the issues (KTAB: at most 100 in all)"
                            .into(),
                    ),
                );
            }
        }
    }

    fn engine(&mut self, raw: Option<&RawEngine>, names: &Names) -> Engine {
        use super::engine::bdm::{Conventions, Options};
        use crate::limits::ENGINE_ITERATIONS;
        match raw {
            None | Some(RawEngine::Negotiation) => Engine::Negotiation,
            Some(RawEngine::ExpectedUtility(e)) => {
                let conventions = e.conventions.unwrap_or(Conventions::ScholzCode);
                let rounds = e.rounds.unwrap_or(10) as usize;
                if rounds == 0 || rounds > ENGINE_ITERATIONS {
                    self.error(
                        "engine.rounds",
                        format!("{rounds} rounds"),
                        Some(format!(
                            "from 1 to {ENGINE_ITERATIONS} (the limit on a reference engine's iterations)"
                        )),
                    );
                }
                Engine::ExpectedUtility {
                    options: Options {
                        conventions,
                        q: self.num(e.q, "engine.q", SHARE, Some(1.0)),
                        fixed_range: e
                            .fixed_range
                            .unwrap_or(conventions == Conventions::ScholzCode),
                    },
                    rounds,
                }
            }
            Some(RawEngine::SpatialModel(settings)) => {
                if settings.max_iter > ENGINE_ITERATIONS {
                    self.error(
                        "engine.max_iter",
                        format!(
                            "{} iterations is above the limit of {ENGINE_ITERATIONS} iterations of a reference engine",
                            settings.max_iter
                        ),
                        Some(format!(
                            "from 1 to {ENGINE_ITERATIONS}: KTAB's default is 100, and runs settle in a few dozen"
                        )),
                    );
                } else if settings.min_iter > settings.max_iter || settings.max_iter == 0 {
                    self.error(
                        "engine.max_iter",
                        "max_iter must be at least 1 and min_iter",
                        None,
                    );
                }
                for (k, e) in settings.ideal_accommodation.iter().enumerate() {
                    let f = format!("engine.ideal_accommodation[{k}]");
                    self.reference(&e.actor, &names.actors, &format!("{f}.actor"), "actor");
                    self.reference(&e.toward, &names.actors, &format!("{f}.toward"), "actor");
                    self.num(Some(Num(e.rate)), &format!("{f}.rate"), SHARE, None);
                }
                // The matrix the engine will use (unknown actors reported above are left out).
                let a = super::engine::smp::accommodation_matrix(settings, &names.actors);
                for (i, row) in a.iter().enumerate() {
                    let sum: f64 = row.iter().sum();
                    if sum > 1.0 + 1e-9 {
                        self.error(
                            "engine.ideal_accommodation",
                            format!(
                                "the row of `{}` sums to {sum} (its own entry is 1 unless given)",
                                names.actors[i]
                            ),
                            Some(format!(
                                "a row must sum to at most 1; to move `{0}`'s ideal part of the \
                                 way toward others, lower its own entry too, e.g. \
                                 `(actor: \"{0}\", toward: \"{0}\", rate: 0.5)`",
                                names.actors[i]
                            )),
                        );
                    }
                }
                Engine::SpatialModel(settings.clone())
            }
        }
    }

    fn actor(&mut self, a: &RawActor, i: usize, names: &Names) -> Actor {
        let f = format!("actors[{i}]");
        if a.role.is_none() && !self.reference {
            self.error(
                format!("{f}.role"),
                "missing",
                Some("one of `Leader`, `Faction`, `ThirdParty`, `Mediator`".into()),
            );
        }
        // Without a role, role-dependent checks are skipped: the missing role is the one error.
        let role = a.role.unwrap_or(if a.side.is_some() {
            Role::Faction
        } else {
            Role::ThirdParty
        });
        let side = a
            .side
            .as_ref()
            .and_then(|s| self.reference(s, &names.sides, &format!("{f}.side"), "side"));
        match (a.role.unwrap_or(Role::Mediator), &a.side) {
            (Role::Leader | Role::Faction, None) => {
                self.error(
                    format!("{f}.side"),
                    format!("a {role:?} belongs to a side"),
                    Some(format!("sides: {}", names.sides.join(", "))),
                );
            }
            (Role::ThirdParty | Role::Mediator, Some(s)) if a.role.is_some() => {
                self.error(
                    format!("{f}.side"),
                    format!("a {role:?} is outside the sides, but names side `{s}`"),
                    Some("remove `side`, or make the actor a Leader or Faction".into()),
                );
            }
            _ => {}
        }
        let complete = role != Role::Mediator || a.ideal.is_some() || a.salience.is_some();
        let ideal = self.per_issue(
            a.ideal.as_ref(),
            &format!("{f}.ideal"),
            names,
            POSITION,
            complete,
        );
        let salience = self.per_issue(
            a.salience.as_ref(),
            &format!("{f}.salience"),
            names,
            SHARE,
            complete,
        );
        let influence = self.num(
            a.influence,
            &format!("{f}.influence"),
            SHARE,
            (role != Role::Faction).then_some(0.0),
        );
        let war = a.war.clone().unwrap_or_default();
        let trust = a.trust.clone().unwrap_or_default();
        let red_lines = self.red_lines(a.red_lines.as_ref(), &format!("{f}.red_lines"), names);
        let capabilities = a
            .capabilities
            .iter()
            .flatten()
            .enumerate()
            .filter_map(|(j, c)| self.capability(c, &format!("{f}.capabilities[{j}]"), names))
            .collect();
        self.because(
            &a.because,
            &format!("{f}.because"),
            &[
                "id",
                "name",
                "side",
                "role",
                "ideal",
                "salience",
                "influence",
                "risk",
                "discount",
                "deal_bonus",
                "upfront_cost",
                "war",
                "trust",
                "red_lines",
                "capabilities",
            ],
        );
        let known = |xs: Vec<Option<f64>>| {
            if complete {
                xs.into_iter().map(|x| x.unwrap_or(0.0)).collect()
            } else {
                Vec::new()
            }
        };
        Actor {
            id: names.actors[i].clone(),
            name: a.name.clone().unwrap_or_else(|| names.actors[i].clone()),
            side,
            role,
            ideal: known(ideal),
            salience: known(salience),
            influence,
            capability: if self.reference {
                let c = self.num(a.capability, &format!("{f}.capability"), (0.0, 1e12), None);
                if c <= 0.0 && a.capability.is_some() {
                    self.error(format!("{f}.capability"), "must be positive", None);
                }
                c
            } else {
                self.num(
                    a.capability,
                    &format!("{f}.capability"),
                    (0.0, 1e12),
                    Some(0.0),
                )
            },
            risk: self.num(a.risk, &format!("{f}.risk"), (-1.0, 1.0), Some(0.0)),
            discount: self.num(
                a.discount,
                &format!("{f}.discount"),
                (0.0, 0.999),
                Some(0.95),
            ),
            deal_bonus: self.num(a.deal_bonus, &format!("{f}.deal_bonus"), SHARE, Some(0.0)),
            upfront_cost: self.num(
                a.upfront_cost,
                &format!("{f}.upfront_cost"),
                SHARE,
                Some(0.0),
            ),
            war: War {
                success: self.num(war.success, &format!("{f}.war.success"), SHARE, Some(0.5)),
                cost: self.num(war.cost, &format!("{f}.war.cost"), SHARE, Some(0.3)),
            },
            trust: Trust {
                initial: self.num(
                    trust.initial,
                    &format!("{f}.trust.initial"),
                    SHARE,
                    Some(0.5),
                ),
            },
            red_lines,
            capabilities,
        }
    }

    /// An actor's red lines, one band per issue; a band whose least acceptable position lies
    /// above its most acceptable one is an error.
    fn red_lines(&mut self, r: Option<&RawRedLines>, f: &str, names: &Names) -> Vec<RedLine> {
        let mut out = vec![RedLine::NONE; names.issues.len()];
        let Some(r) = r else { return out };
        let least = self.per_issue(
            r.at_least.as_ref(),
            &format!("{f}.at_least"),
            names,
            POSITION,
            false,
        );
        let most = self.per_issue(
            r.at_most.as_ref(),
            &format!("{f}.at_most"),
            names,
            POSITION,
            false,
        );
        for (i, line) in out.iter_mut().enumerate() {
            if let Some(x) = least[i] {
                line.at_least = x;
            }
            if let Some(x) = most[i] {
                line.at_most = x;
            }
            if line.at_least > line.at_most {
                self.error(
                    format!("{f}.at_least.{}", names.issues[i]),
                    format!(
                        "the least acceptable position {} is above the most acceptable {}",
                        line.at_least, line.at_most
                    ),
                    Some(
                        "no position would be acceptable: lower `at_least` or raise `at_most`"
                            .into(),
                    ),
                );
            }
        }
        out
    }

    fn capability(&mut self, c: &RawCapability, f: &str, names: &Names) -> Option<Capability> {
        let side_ref = |v: &mut Self, s: &Option<String>, field: &str| match s {
            Some(s) => v.reference(s, &names.sides, &format!("{f}.{field}"), "side"),
            None => {
                v.error(
                    format!("{f}.{field}"),
                    "missing",
                    Some(format!("sides: {}", names.sides.join(", "))),
                );
                None
            }
        };
        Some(match c {
            RawCapability::Lobby(l) => {
                let target = match &l.target {
                    Some(t) => self.reference(t, &names.actors, &format!("{f}.target"), "actor"),
                    None => {
                        self.error(
                            format!("{f}.target"),
                            "missing",
                            Some("the faction lobbied for".into()),
                        );
                        None
                    }
                };
                let strength = self.num(l.strength, &format!("{f}.strength"), SHARE, None);
                Capability::Lobby {
                    target: target?,
                    strength,
                }
            }
            RawCapability::Strike(s) => {
                let target = side_ref(self, &s.target, "target");
                let patron = s
                    .patron
                    .as_ref()
                    .and_then(|p| self.reference(p, &names.sides, &format!("{f}.patron"), "side"));
                let success = self.num(s.success, &format!("{f}.success"), SHARE, None);
                let outcome = self.per_issue(
                    s.outcome.as_ref(),
                    &format!("{f}.outcome"),
                    names,
                    POSITION,
                    false,
                );
                Capability::Strike {
                    target: target?,
                    patron,
                    success,
                    success_alone: self.num(
                        s.success_alone,
                        &format!("{f}.success_alone"),
                        SHARE,
                        Some(success),
                    ),
                    restraint: self.num(s.restraint, &format!("{f}.restraint"), SHARE, Some(0.2)),
                    outcome,
                }
            }
            RawCapability::Protect(p) => {
                let client = side_ref(self, &p.client, "client");
                Capability::Protect {
                    client: client?,
                    commitment: self.num(p.commitment, &format!("{f}.commitment"), SHARE, None),
                    response: self.num(p.response, &format!("{f}.response"), SHARE, None),
                    military: self.num(p.military, &format!("{f}.military"), SHARE, None),
                }
            }
            RawCapability::Mediate(m) => Capability::Mediate {
                clarity: self.num(m.clarity, &format!("{f}.clarity"), SHARE, Some(0.5)),
            },
        })
    }

    fn side(&mut self, s: &RawSide, i: usize, names: &Names, actors: &[Actor]) -> Side {
        let f = format!("sides[{i}]");
        let member = |v: &mut Self, id: &str, field: &str, what: &str| -> Option<usize> {
            let a = v.reference(id, &names.actors, field, "actor")?;
            if actors[a].side != Some(i) {
                let theirs = actors[a].side.map_or("no side".to_owned(), |o| {
                    format!("side `{}`", names.sides[o])
                });
                v.error(
                    field,
                    format!(
                        "{what} `{id}` belongs to {theirs}, not to `{}`",
                        names.sides[i]
                    ),
                    Some(format!(
                        "a {what} must be a member of this side (its `side` is `{}`)",
                        names.sides[i]
                    )),
                );
            }
            Some(a)
        };
        let leader = match &s.leader {
            Some(l) => member(self, l, &format!("{f}.leader"), "leader"),
            None => {
                self.error(
                    format!("{f}.leader"),
                    format!("side `{}` has no leader", names.sides[i]),
                    Some("name the actor who decides for it: `leader: \"...\"`".into()),
                );
                None
            }
        };
        if let Some(l) = leader
            && actors[l].role != Role::Leader
        {
            self.error(
                format!("{f}.leader"),
                format!(
                    "`{}` has role {:?}, not Leader",
                    names.actors[l], actors[l].role
                ),
                None,
            );
        }
        let factions = s
            .factions
            .iter()
            .flatten()
            .enumerate()
            .filter_map(|(j, id)| {
                let a = member(self, id, &format!("{f}.factions[{j}]"), "faction")?;
                if actors[a].role != Role::Faction {
                    self.error(
                        format!("{f}.factions[{j}]"),
                        format!("`{id}` has role {:?}, not Faction", actors[a].role),
                        None,
                    );
                }
                Some(a)
            })
            .collect();
        let veto = s
            .veto
            .iter()
            .flatten()
            .enumerate()
            .filter_map(|(j, id)| member(self, id, &format!("{f}.veto[{j}]"), "veto player"))
            .collect();
        self.because(
            &s.because,
            &format!("{f}.because"),
            &[
                "id",
                "name",
                "leader",
                "factions",
                "veto",
                "ratification_quota",
                "leader_weight",
                "sincere",
            ],
        );
        Side {
            id: names.sides[i].clone(),
            name: s.name.clone().unwrap_or_else(|| names.sides[i].clone()),
            leader: leader.unwrap_or(0),
            factions,
            veto,
            ratification_quota: self.num(
                s.ratification_quota,
                &format!("{f}.ratification_quota"),
                SHARE,
                Some(0.5),
            ),
            leader_weight: self.num(
                s.leader_weight,
                &format!("{f}.leader_weight"),
                (0.0, 100.0),
                Some(1.0),
            ),
            sincere: self.num(s.sincere, &format!("{f}.sincere"), SHARE, Some(0.5)),
        }
    }

    /// Each side has exactly one leader; every member is listed by its side.
    fn roles(
        &mut self,
        actors: &[Actor],
        sides: &[Side],
        leaders: &[Option<usize>],
        names: &Names,
    ) {
        for (a, actor) in actors.iter().enumerate() {
            let Some(s) = actor.side else { continue };
            let Some(side) = sides.get(s) else { continue };
            let f = format!("actors[{a}].role");
            match (actor.role, leaders[s]) {
                (Role::Leader, Some(leader)) if leader != a => self.error(
                    f,
                    format!(
                        "`{}` is a Leader of side `{}`, which already has leader `{}`",
                        names.actors[a], names.sides[s], names.actors[leader]
                    ),
                    Some("a side has exactly one leader; make this actor a Faction".into()),
                ),
                (Role::Faction, _) if !side.factions.contains(&a) => self.error(
                    f,
                    format!(
                        "faction `{}` is not listed in the factions of side `{}`",
                        names.actors[a], names.sides[s]
                    ),
                    Some(format!("add it to `factions` of side `{}`", names.sides[s])),
                ),
                _ => {}
            }
        }
    }

    fn event(
        &mut self,
        e: &RawEvent,
        i: usize,
        names: &Names,
        actors: &[Actor],
        schedule: &[Round],
    ) -> Option<Event> {
        let f = format!("events[{i}]");
        self.claim_list(
            e.because.as_deref().unwrap_or_default(),
            &format!("{f}.because"),
        );
        let (round, date) = self.placement(
            e.round,
            e.date.as_deref(),
            &f,
            "an event",
            schedule,
            DateRule::OnOrAfter,
        );
        let Some(effect) = &e.effect else {
            self.error(format!("{f}.effect"), "missing", Some("one of Statement, InfluenceShift, AllianceChange, Deadline, ParameterChange, ForcedAction".into()));
            return None;
        };
        let ef = format!("{f}.effect");
        let actor = |v: &mut Self, id: &str| {
            v.reference(id, &names.actors, &format!("{ef}.actor"), "actor")
        };
        let effect = match effect {
            RawEffect::Statement {
                actor: id,
                position,
                commit,
            } => {
                let a = actor(self, id);
                let position = self.per_issue(
                    Some(position),
                    &format!("{ef}.position"),
                    names,
                    POSITION,
                    false,
                );
                let commit =
                    commit.map(|c| self.num(Some(c), &format!("{ef}.commit"), SHARE, None));
                Effect::Statement {
                    actor: a?,
                    position,
                    commit,
                }
            }
            RawEffect::InfluenceShift { actor: id, delta } => {
                let a = actor(self, id);
                let delta = self.num(Some(*delta), &format!("{ef}.delta"), (-1.0, 1.0), None);
                Effect::InfluenceShift { actor: a?, delta }
            }
            RawEffect::AllianceChange {
                actor: id,
                client,
                delta,
            } => {
                let a = actor(self, id);
                let c = self.reference(client, &names.sides, &format!("{ef}.client"), "side");
                let delta = self.num(Some(*delta), &format!("{ef}.delta"), (-1.0, 1.0), None);
                let (a, c) = (a?, c?);
                if !actors[a]
                    .capabilities
                    .iter()
                    .any(|cap| matches!(cap, Capability::Protect { client, .. } if *client == c))
                {
                    self.error(
                        format!("{ef}.actor"),
                        format!("`{id}` has no `Protect` commitment to `{client}`"),
                        Some("give the actor a Protect(client: ...) capability".into()),
                    );
                }
                Effect::AllianceChange {
                    actor: a,
                    client: c,
                    delta,
                }
            }
            RawEffect::Deadline { round, date } => {
                let (round, _) = self.placement(
                    *round,
                    date.as_deref(),
                    &ef,
                    "a deadline",
                    schedule,
                    DateRule::OnOrBefore,
                );
                Effect::Deadline { round: round? }
            }
            RawEffect::ParameterChange { path, value } => {
                let name = path.strip_prefix("params.").unwrap_or(path);
                let Some(spec) = PARAM_SPECS.iter().find(|s| s.name == name) else {
                    let list: Vec<&str> = PARAM_SPECS.iter().map(|s| s.name).collect();
                    self.error(
                        format!("{ef}.path"),
                        format!("unknown parameter `{path}`"),
                        Some(suggest(name, &list, "parameters")),
                    );
                    return None;
                };
                let value = self.num(Some(*value), &format!("{ef}.value"), spec.valid, None);
                Effect::ParameterChange {
                    param: spec.name,
                    value,
                }
            }
            RawEffect::ForcedAction { actor: id, action } => {
                let a = actor(self, id)?;
                if *action == ForcedKind::Strike
                    && !actors[a]
                        .capabilities
                        .iter()
                        .any(|c| matches!(c, Capability::Strike { .. }))
                {
                    self.error(
                        format!("{ef}.action"),
                        format!("`{id}` cannot be forced to strike: it has no `Strike` capability"),
                        None,
                    );
                }
                if matches!(action, ForcedKind::WalkOut | ForcedKind::Accept)
                    && actors[a].side.is_none()
                {
                    self.error(
                        format!("{ef}.action"),
                        format!("`{id}` is not on a side, so it cannot {action:?}"),
                        None,
                    );
                }
                Effect::ForcedAction {
                    actor: a,
                    action: *action,
                }
            }
        };
        Some(Event {
            id: names_or(&e.id),
            round: round?,
            date,
            effect,
            note: e.note.clone().unwrap_or_default(),
        })
    }

    /// Where an event or a deadline (`what`, fields under `at`) falls: its `round`, checked
    /// against the schedule, or its `date`, placed by `rule` — one of the two. Also returns the
    /// date, when one is given and well formed.
    fn placement(
        &mut self,
        round: Option<u32>,
        date: Option<&str>,
        at: &str,
        what: &str,
        schedule: &[Round],
        rule: DateRule,
    ) -> (Option<usize>, Option<Date>) {
        let field = format!("{at}.date");
        let parsed = date.and_then(|d| self.date(d, &field));
        let placed = match (round, date) {
            (Some(_), Some(_)) => {
                self.error(
                    &field,
                    format!("{what} has a `round` or a `date`, not both"),
                    Some("remove one of them".into()),
                );
                None
            }
            (None, Some(_)) => parsed.and_then(|d| self.dated_round(schedule, d, &field, rule)),
            (r, None) => self.in_schedule(r, &format!("{at}.round"), schedule.len()),
        };
        (placed, parsed)
    }

    /// A 1-based round number that must lie in a schedule of `rounds` rounds.
    fn in_schedule(&mut self, r: Option<u32>, field: &str, rounds: usize) -> Option<usize> {
        let Some(r) = r else {
            self.error(
                field,
                "missing",
                Some(format!("a round from 1 to {rounds}")),
            );
            return None;
        };
        if r == 0 || r as usize > rounds {
            self.error(
                field,
                format!("round {r} is outside the schedule"),
                Some(format!("the scenario has rounds 1 to {rounds}")),
            );
            return None;
        }
        Some(r as usize)
    }

    /// Parses a date, reporting a malformed one at `field`.
    fn date(&mut self, text: &str, field: &str) -> Option<Date> {
        match Date::parse(text) {
            Ok(d) => Some(d),
            Err(message) => {
                self.error(field, message, None);
                None
            }
        }
    }

    /// Each round's date (if dated), weeks since the first round, and the weeks it covers
    /// (docs/model.md §1, "Time"). Undated rounds come a week after the previous one; a
    /// calendar is dated from its first round or not at all.
    fn calendar(&mut self, rounds: &[RawRound]) -> Vec<(Option<Date>, f64, f64)> {
        let dates: Vec<Option<Date>> = rounds
            .iter()
            .enumerate()
            .map(|(i, r)| {
                r.date
                    .as_deref()
                    .and_then(|d| self.date(d, &format!("rounds[{i}].date")))
            })
            .collect();
        let first = dates.first().copied().flatten();
        let mut out = Vec::with_capacity(rounds.len());
        let mut prev: Option<(i32, Option<Date>)> = None;
        for (i, (r, &date)) in rounds.iter().zip(&dates).enumerate() {
            let day = match (prev, first) {
                (None, _) => 0,
                (Some((day, _)), None) => {
                    if r.date.is_some() && rounds[0].date.is_none() {
                        self.error(
                            format!("rounds[{i}].date"),
                            "only this and later rounds are dated, but the calendar starts at the first round",
                            Some("give rounds[0] a date too, or remove this one".into()),
                        );
                    }
                    day + super::calendar::DEFAULT_GAP_DAYS
                }
                (Some((day, prev_date)), Some(start)) => match (date, prev_date) {
                    (Some(d), Some(p)) if d <= p => {
                        self.error(
                            format!("rounds[{i}].date"),
                            format!("{d} is not after the previous round's date {p}"),
                            Some("list rounds in the order they take place".into()),
                        );
                        day + super::calendar::DEFAULT_GAP_DAYS
                    }
                    (Some(d), _) => start.days_until(d),
                    (None, _) => day + super::calendar::DEFAULT_GAP_DAYS,
                },
            };
            let date = first.and_then(|s| s.plus_days(day));
            let week = f64::from(day) / 7.0;
            let dt = prev.map_or(1.0, |(p, _)| f64::from(day - p) / 7.0);
            out.push((date, week, dt));
            prev = Some((day, date));
        }
        out
    }

    /// The round a dated event or deadline belongs to: the first round on or after an event's
    /// date, the last round on or before a deadline's.
    fn dated_round(
        &mut self,
        schedule: &[Round],
        date: Date,
        field: &str,
        rule: DateRule,
    ) -> Option<usize> {
        let (Some(first), Some(last)) = (
            schedule.first().and_then(|r| r.date),
            schedule.last().and_then(|r| r.date),
        ) else {
            self.error(
                field,
                "the rounds have no dates, so nothing can be placed by date",
                Some("give the rounds dates (`date: \"YYYY-MM-DD\"`), or use `round`".into()),
            );
            return None;
        };
        let found = match rule {
            DateRule::OnOrAfter => schedule.iter().position(|r| r.date >= Some(date)),
            DateRule::OnOrBefore => schedule.iter().rposition(|r| r.date <= Some(date)),
        };
        if found.is_none() {
            let (message, help) = match rule {
                DateRule::OnOrAfter => (
                    format!("{date} is after the last round ({last})"),
                    "move it into the schedule, or add a round after it",
                ),
                DateRule::OnOrBefore => (
                    format!("{date} is before the first round ({first})"),
                    "a deadline lapses after some round: move it on or after the first round",
                ),
            };
            self.error(field, message, Some(help.into()));
        }
        found.map(|r| r + 1)
    }

    fn params(&mut self, raw: Option<&RawParams>) -> Params {
        let mut p = Params::default();
        let Some(raw) = raw else { return p };
        if let Some(rule) = raw.mandate_rule {
            p.mandate_rule = rule;
        }
        for (name, value) in raw.given() {
            let spec = PARAM_SPECS
                .iter()
                .find(|s| s.name == name)
                .expect("generated together");
            let v = self.num(
                Some(Num(value)),
                &format!("params.{name}"),
                spec.valid,
                None,
            );
            p.set(name, v);
        }
        let mut fields: Vec<&str> = PARAM_SPECS.iter().map(|s| s.name).collect();
        fields.push("mandate_rule");
        self.because(&raw.because, "params.because", &fields);
        p
    }
}

fn names_or(id: &Option<String>) -> String {
    id.clone().unwrap_or_default()
}

/// Which round a date picks (see `Validator::dated_round`).
#[derive(Clone, Copy)]
enum DateRule {
    /// The first round on or after the date: an event fires at the next round.
    OnOrAfter,
    /// The last round on or before the date: the deadline lapses after it.
    OnOrBefore,
}
