//! Writing the simulated companies as the canonical CSV tables plus
//! `truth.csv`.
//!
//! This module owns the output format: ids (prefix plus zero-padded number,
//! so string order is numeric order), the number formats (2 decimals at
//! most, integers as integers, ISO dates, `YYYY-MM` months, `true`/`false`,
//! empty for missing), the column order (from [`Table::columns`]) and the
//! row order (by id). Each file is written by one thread, in company order,
//! through a buffered `csv::Writer`; the files are written in parallel.

use std::fmt::Write as _;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;

use crate::data::schema::Table;

use super::latent::CompanyOut;
use super::network::{Planted, Tag};
use super::params::SynthError;

/// The columns of `truth.csv`.
pub(crate) const TRUTH_COLUMNS: [&str; 5] = [
    "site_id",
    "exploited",
    "state",
    "severity",
    "planted_network",
];

/// The number of ids used before a company, per id kind.
#[derive(Debug, Clone, Copy, Default)]
struct Bases {
    person: u64,
    permit: u64,
    address: u64,
    inspection: u64,
    tip: u64,
    posting: u64,
}

/// Id bases per company and the zero-padding width of each id kind.
struct Ids {
    bases: Vec<Bases>,
    site: usize,
    company: usize,
    permit: usize,
    inspection: usize,
    tip: usize,
    posting: usize,
    provider: usize,
}

/// The kinds of personal id the generator writes. Personal columns hold
/// pseudonyms only (a value in any other shape is refused without a key), so
/// the generator writes its people, recruiters and housing addresses in the
/// project's pseudonym format: `p`, one hex digit for the kind (`e` a
/// person, `b` a recruitment bureau, `a` an address) and the number in 19
/// hex digits. Numbers keep their order, as the zero-padded ids did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Personal {
    /// A worker, owner or director (`person_id`).
    Person,
    /// A recruiter (`recruiter_id`).
    Recruiter,
    /// A housing address (`address_id`).
    Address,
}

impl Personal {
    fn tag(self) -> char {
        match self {
            Personal::Person => 'e',
            Personal::Recruiter => 'b',
            Personal::Address => 'a',
        }
    }

    /// The id of number `n` (from 1).
    pub fn id(self, n: u64) -> String {
        format!("p{}{n:019x}", self.tag())
    }

    /// The number of an id this generator wrote, if it is one of this kind.
    pub fn number(self, id: &str) -> Option<u64> {
        let rest = id.strip_prefix('p')?.strip_prefix(self.tag())?;
        (rest.len() == 19).then(|| u64::from_str_radix(rest, 16).ok())?
    }
}

/// Zero-padding width for ids up to `total`: 7 digits, more when needed.
fn width(total: u64) -> usize {
    total.max(1).to_string().len().max(7)
}

impl Ids {
    fn new(companies: &[CompanyOut], sites: usize, providers: u32) -> Ids {
        let mut bases = Vec::with_capacity(companies.len());
        let mut next = Bases::default();
        for c in companies {
            bases.push(next);
            next.person += u64::from(c.persons);
            next.address += c.rooms.len() as u64;
            for s in &c.sites {
                next.permit += s.permits.len() as u64;
                next.inspection += s.inspections.len() as u64;
                next.tip += s.tips.len() as u64;
                next.posting += s.postings.len() as u64;
            }
        }
        Ids {
            bases,
            site: width(sites as u64),
            company: width(companies.len() as u64),
            permit: width(next.permit),
            inspection: width(next.inspection),
            tip: width(next.tip),
            posting: width(next.posting),
            provider: width(u64::from(providers)),
        }
    }
}

/// The output files, in the order of the summary.
#[derive(Debug, Clone, Copy)]
enum Job {
    Table(Table),
    Truth,
}

impl Job {
    fn name(self) -> &'static str {
        match self {
            Job::Table(t) => t.name(),
            Job::Truth => "truth",
        }
    }

    fn header(self) -> Vec<&'static str> {
        match self {
            Job::Table(t) => t.columns().iter().map(|c| c.name).collect(),
            Job::Truth => TRUTH_COLUMNS.to_vec(),
        }
    }
}

/// Writes every file into `dir` and returns `(table, rows)` per file.
pub(crate) fn write_all(
    companies: &[CompanyOut],
    sites: usize,
    providers: u32,
    planted: &Planted,
    dir: &Path,
) -> Result<Vec<(String, usize)>, SynthError> {
    let ids = Ids::new(companies, sites, providers);
    let mut jobs: Vec<Job> = Table::ALL.iter().map(|&t| Job::Table(t)).collect();
    jobs.push(Job::Truth);
    jobs.par_iter()
        .map(|&job| write_job(job, companies, &ids, planted, dir))
        .collect()
}

/// Writes one file.
fn write_job(
    job: Job,
    cs: &[CompanyOut],
    ids: &Ids,
    planted: &Planted,
    dir: &Path,
) -> Result<(String, usize), SynthError> {
    let path = dir.join(format!("{}.csv", job.name()));
    let mut e = Emit::new(&path, &job.header())?;
    let written = match job {
        Job::Table(Table::Sites) => sites(&mut e, cs, ids),
        Job::Table(Table::Permits) => permits(&mut e, cs, ids),
        Job::Table(Table::Postings) => postings(&mut e, cs, ids),
        Job::Table(Table::Payroll) => payroll(&mut e, cs, ids),
        Job::Table(Table::Residences) => residences(&mut e, cs, ids),
        Job::Table(Table::Inspections) => inspections(&mut e, cs, ids),
        Job::Table(Table::Findings) => findings(&mut e, cs, ids),
        Job::Table(Table::Tips) => tips(&mut e, cs, ids),
        Job::Table(Table::Roles) => roles(&mut e, cs, ids),
        Job::Truth => truth(&mut e, cs, ids, planted),
    };
    written.map_err(|source| SynthError::Csv {
        path: path.clone(),
        source,
    })?;
    let rows = e.finish(&path)?;
    Ok((job.name().to_string(), rows))
}

/// A CSV file being written, with one reusable buffer per column.
struct Emit {
    wtr: csv::Writer<BufWriter<File>>,
    row: Vec<String>,
    rows: usize,
}

impl Emit {
    /// Creates the file and writes its header.
    fn new(path: &Path, header: &[&str]) -> Result<Emit, SynthError> {
        let file = File::create(path).map_err(|source| io_err(path, source))?;
        let mut wtr = csv::WriterBuilder::new()
            .has_headers(false)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(BufWriter::with_capacity(1 << 20, file));
        wtr.write_record(header).map_err(|source| SynthError::Csv {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Emit {
            wtr,
            row: vec![String::new(); header.len()],
            rows: 0,
        })
    }

    /// Starts a row: clears every column buffer.
    fn begin(&mut self) {
        self.row.iter_mut().for_each(String::clear);
    }

    /// Writes the row.
    fn end(&mut self) -> csv::Result<()> {
        self.wtr.write_record(&self.row)?;
        self.rows += 1;
        Ok(())
    }

    /// Flushes the file and returns the number of data rows.
    fn finish(mut self, path: &Path) -> Result<usize, SynthError> {
        self.wtr.flush().map_err(|source| io_err(path, source))?;
        Ok(self.rows)
    }

    fn str(&mut self, i: usize, s: &str) {
        self.row[i].push_str(s);
    }

    fn opt_str(&mut self, i: usize, s: Option<&str>) {
        if let Some(s) = s {
            self.row[i].push_str(s);
        }
    }

    fn id(&mut self, i: usize, prefix: &str, n: u64, width: usize) {
        let _ = write!(self.row[i], "{prefix}{n:0width$}");
    }

    /// A personal id: a pseudonym-shaped number (see [`Personal`]).
    fn pid(&mut self, i: usize, kind: Personal, n: u64) {
        let _ = write!(self.row[i], "p{}{n:019x}", kind.tag());
    }

    fn int(&mut self, i: usize, v: Option<u64>) {
        if let Some(v) = v {
            let _ = write!(self.row[i], "{v}");
        }
    }

    fn float(&mut self, i: usize, v: Option<f64>) {
        if let Some(v) = v {
            push_float(&mut self.row[i], v);
        }
    }

    fn date(&mut self, i: usize, d: Option<NaiveDate>) {
        if let Some(d) = d {
            let _ = write!(
                self.row[i],
                "{:04}-{:02}-{:02}",
                d.year(),
                d.month(),
                d.day()
            );
        }
    }

    fn month(&mut self, i: usize, ym: u32) {
        let _ = write!(self.row[i], "{:04}-{:02}", ym / 12, ym % 12 + 1);
    }

    fn boolean(&mut self, i: usize, v: Option<bool>) {
        if let Some(v) = v {
            self.row[i].push_str(if v { "true" } else { "false" });
        }
    }
}

/// An I/O error on `path`.
fn io_err(path: &Path, source: std::io::Error) -> SynthError {
    SynthError::Io {
        path: PathBuf::from(path),
        source,
    }
}

/// Formats a float with at most 2 decimals, integers without decimals.
pub(crate) fn push_float(s: &mut String, v: f64) {
    let r = (v * 100.0).round() / 100.0;
    if r == r.trunc() {
        let _ = write!(s, "{}", r as i64);
    } else {
        let _ = write!(s, "{r:.2}");
    }
}

fn sites(e: &mut Emit, cs: &[CompanyOut], ids: &Ids) -> csv::Result<()> {
    for c in cs {
        for s in &c.sites {
            e.begin();
            e.id(0, "S", u64::from(s.index) + 1, ids.site);
            e.id(1, "C", u64::from(c.index) + 1, ids.company);
            let name = &mut e.row[2];
            let _ = write!(name, "{} {}", c.surname, c.word);
            if c.legal_form != "ENK" {
                let _ = write!(name, " {}", c.legal_form);
            }
            if c.sites.len() > 1 {
                let _ = write!(name, " afd. {}", s.town);
            }
            let _ = write!(e.row[3], "{} {}", s.street, s.number);
            e.opt_str(4, s.postcode);
            e.int(5, Some(u64::from(s.municipality)));
            e.float(6, s.lat_lon.map(|(lat, _)| lat));
            e.float(7, s.lat_lon.map(|(_, lon)| lon));
            e.str(8, s.sector);
            e.int(9, s.employees.map(u64::from));
            e.date(10, c.founded);
            e.opt_str(11, c.show_legal_form.then_some(c.legal_form));
            e.str(12, s.smiley);
            e.end()?;
        }
    }
    Ok(())
}

fn permits(e: &mut Emit, cs: &[CompanyOut], ids: &Ids) -> csv::Result<()> {
    for (c, b) in cs.iter().zip(&ids.bases) {
        let mut n = b.permit;
        for s in &c.sites {
            for p in &s.permits {
                n += 1;
                e.begin();
                e.id(0, "P", n, ids.permit);
                e.pid(1, Personal::Person, b.person + u64::from(p.person) + 1);
                e.id(2, "S", u64::from(s.index) + 1, ids.site);
                e.str(3, p.scheme);
                e.date(4, Some(p.start));
                e.date(5, p.end);
                e.float(6, p.pay);
                e.float(7, p.hours);
                e.boolean(8, p.housing);
                e.boolean(9, p.bound);
                if let Some(r) = p.recruiter {
                    e.pid(10, Personal::Recruiter, u64::from(r) + 1);
                }
                e.opt_str(11, p.nationality);
                e.end()?;
            }
        }
    }
    Ok(())
}

fn postings(e: &mut Emit, cs: &[CompanyOut], ids: &Ids) -> csv::Result<()> {
    for (c, b) in cs.iter().zip(&ids.bases) {
        let mut n = b.posting;
        for s in &c.sites {
            for p in &s.postings {
                n += 1;
                e.begin();
                e.id(0, "RUT", n, ids.posting);
                e.id(1, "F", u64::from(p.provider) + 1, ids.provider);
                e.id(2, "S", u64::from(s.index) + 1, ids.site);
                e.date(3, Some(p.start));
                e.date(4, p.end);
                e.int(5, p.workers.map(u64::from));
                e.boolean(6, p.rut_notified);
                e.end()?;
            }
        }
    }
    Ok(())
}

fn payroll(e: &mut Emit, cs: &[CompanyOut], ids: &Ids) -> csv::Result<()> {
    for (c, b) in cs.iter().zip(&ids.bases) {
        for s in &c.sites {
            for p in &s.payroll {
                e.begin();
                e.id(0, "S", u64::from(s.index) + 1, ids.site);
                e.pid(1, Personal::Person, b.person + u64::from(p.person) + 1);
                e.month(2, p.ym);
                e.float(3, p.pay);
                e.float(4, p.hours);
                e.boolean(5, p.own_account);
                e.end()?;
            }
        }
    }
    Ok(())
}

fn residences(e: &mut Emit, cs: &[CompanyOut], ids: &Ids) -> csv::Result<()> {
    for (c, b) in cs.iter().zip(&ids.bases) {
        for s in &c.sites {
            for r in &s.residences {
                e.begin();
                // A planted network may house the worker at another company's address.
                let (hb, hc) = match r.host {
                    Some(h) => (ids.bases[h as usize], &cs[h as usize]),
                    None => (*b, c),
                };
                e.pid(0, Personal::Person, b.person + u64::from(r.person) + 1);
                e.pid(1, Personal::Address, hb.address + u64::from(r.address) + 1);
                e.date(2, Some(r.from));
                e.boolean(3, r.employer_provided);
                let rooms = hc.rooms.get(r.address as usize).copied().flatten();
                e.int(4, rooms.map(u64::from));
                e.end()?;
            }
        }
    }
    Ok(())
}

fn inspections(e: &mut Emit, cs: &[CompanyOut], ids: &Ids) -> csv::Result<()> {
    for (c, b) in cs.iter().zip(&ids.bases) {
        let mut n = b.inspection;
        for s in &c.sites {
            for i in &s.inspections {
                n += 1;
                e.begin();
                e.id(0, "I", n, ids.inspection);
                e.id(1, "S", u64::from(s.index) + 1, ids.site);
                e.date(2, Some(i.date));
                e.str(3, i.agency);
                e.str(4, i.trigger);
                e.float(5, i.probability);
                e.str(6, i.outcome);
                // Every simulated agency can see every indicator (the
                // action plan asks all of them to look for victims).
                e.str(7, "forced_labour");
                e.end()?;
            }
        }
    }
    Ok(())
}

fn findings(e: &mut Emit, cs: &[CompanyOut], ids: &Ids) -> csv::Result<()> {
    for (c, b) in cs.iter().zip(&ids.bases) {
        let mut n = b.inspection;
        for s in &c.sites {
            for i in &s.inspections {
                n += 1;
                for f in &i.findings {
                    e.begin();
                    e.id(0, "I", n, ids.inspection);
                    e.str(1, f.indicator);
                    e.int(2, f.workers.map(u64::from));
                    e.str(3, f.note);
                    e.end()?;
                }
            }
        }
    }
    Ok(())
}

fn tips(e: &mut Emit, cs: &[CompanyOut], ids: &Ids) -> csv::Result<()> {
    for (c, b) in cs.iter().zip(&ids.bases) {
        let mut n = b.tip;
        for s in &c.sites {
            for t in &s.tips {
                n += 1;
                e.begin();
                e.id(0, "T", n, ids.tip);
                if t.by_company {
                    e.id(2, "C", u64::from(c.index) + 1, ids.company);
                } else {
                    e.id(1, "S", u64::from(s.index) + 1, ids.site);
                }
                e.date(3, Some(t.date));
                e.opt_str(4, t.indicator);
                e.str(5, t.channel);
                e.end()?;
            }
        }
    }
    Ok(())
}

fn roles(e: &mut Emit, cs: &[CompanyOut], ids: &Ids) -> csv::Result<()> {
    for c in cs {
        // A planted network may lend another company's person; rows are
        // sorted by person id within the company.
        let mut rows: Vec<(u64, &super::latent::RoleOut)> = c
            .roles
            .iter()
            .map(|r| {
                let lender = r.lender.unwrap_or(c.index) as usize;
                (ids.bases[lender].person + u64::from(r.person) + 1, r)
            })
            .collect();
        rows.sort_by_key(|(p, r)| (*p, r.from));
        for (person, r) in rows {
            e.begin();
            e.id(0, "C", u64::from(c.index) + 1, ids.company);
            e.pid(1, Personal::Person, person);
            e.str(2, r.role);
            e.date(3, Some(r.from));
            e.date(4, r.to);
            e.end()?;
        }
    }
    Ok(())
}

fn truth(e: &mut Emit, cs: &[CompanyOut], ids: &Ids, planted: &Planted) -> csv::Result<()> {
    for c in cs {
        for s in &c.sites {
            e.begin();
            e.id(0, "S", u64::from(s.index) + 1, ids.site);
            e.boolean(1, Some(s.state.exploited()));
            e.str(2, s.state.as_str());
            e.float(3, Some(s.severity));
            for (k, tag) in planted.of(s.index).iter().enumerate() {
                if k > 0 {
                    e.str(4, ";");
                }
                match *tag {
                    Tag::Owner { company, person } => {
                        let n = ids.bases[company as usize].person + u64::from(person) + 1;
                        e.str(4, "owner:");
                        e.pid(4, Personal::Person, n);
                    }
                    Tag::Phoenix { company } => {
                        e.str(4, "phoenix:");
                        e.id(4, "C", u64::from(company) + 1, ids.company);
                    }
                    Tag::Recruiter(r) => {
                        e.str(4, "recruiter:");
                        e.pid(4, Personal::Recruiter, u64::from(r) + 1);
                    }
                    Tag::Address { company, address } => {
                        let n = ids.bases[company as usize].address + u64::from(address) + 1;
                        e.str(4, "address:");
                        e.pid(4, Personal::Address, n);
                    }
                }
            }
            e.end()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_have_at_most_two_decimals_and_integers_none() {
        for (v, want) in [
            (37.0, "37"),
            (160.333, "160.33"),
            (0.005, "0.01"),
            (42833.3333, "42833.33"),
            (0.0, "0"),
            (0.5, "0.50"),
            (0.999, "1"),
        ] {
            let mut s = String::new();
            push_float(&mut s, v);
            assert_eq!(s, want, "{v}");
        }
    }

    #[test]
    fn id_widths_grow_past_seven_digits_only_when_needed() {
        assert_eq!(width(0), 7);
        assert_eq!(width(9_999_999), 7);
        assert_eq!(width(10_000_000), 8);
    }
}
