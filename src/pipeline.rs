//! The scoring pipeline in one call, for every front end: load a folder,
//! compute site features as of a date, evaluate the catalogue, and assess
//! every site. Front ends take the result and rank, explain or show it.

use chrono::NaiveDate;
use polars::prelude::IntoLazy;

use crate::data::{Dataset, LoadOptions, load_folder};
use crate::features;
use crate::indicators::{Assessment, Catalogue, CompiledCatalogue};
use crate::model::{ModelFile, ScoredSites};

/// Errors of the pipeline.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// Loading failed.
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
    /// The catalogue is wrong.
    #[error(transparent)]
    Catalogue(#[from] crate::indicators::CatalogueError),
    /// A dataframe operation failed.
    #[error("computing features: {0}")]
    Polars(#[from] polars::error::PolarsError),
    /// The model does not fit the data.
    #[error(transparent)]
    Model(#[from] crate::model::ModelError),
}

/// Compiles a catalogue against the feature schema.
pub fn compile(catalogue: Catalogue) -> Result<CompiledCatalogue, PipelineError> {
    let schema = features::schema()?;
    Ok(CompiledCatalogue::compile(catalogue, &schema)?)
}

/// A loaded and assessed data set.
#[derive(Debug, Clone)]
pub struct Scored {
    /// The data.
    pub data: Dataset,
    /// The compiled catalogue.
    pub catalogue: CompiledCatalogue,
    /// The date the features were computed as of.
    pub as_of: NaiveDate,
    /// Features, rule results and per-site assessment.
    pub assessment: Assessment,
    /// The model and its scores, when a model is used.
    pub model: Option<(ModelFile, ScoredSites)>,
}

impl Scored {
    /// Which score ranks the sites, for headers and exports: `rules` or
    /// `model: <learner> (trained to <date>)`.
    pub fn scorer_label(&self) -> String {
        match &self.model {
            Some((m, _)) => format!("model: {} (trained to {})", m.kind.name(), m.trained_as_of),
            None => "rules".into(),
        }
    }

    /// Scores every site with a model (refused when the features differ).
    pub fn with_model(mut self, model: ModelFile) -> Result<Scored, PipelineError> {
        let scores = model.score(&self.assessment.frame, 5)?;
        self.model = Some((model, scores));
        Ok(self)
    }
}

/// Loads a folder (accepting the catalogue's ids in findings and tips) and
/// assesses every site as of `as_of` (default: the latest event in the data).
pub fn load_and_assess(
    dir: &std::path::Path,
    mut opts: LoadOptions,
    catalogue: CompiledCatalogue,
    as_of: Option<NaiveDate>,
) -> Result<Scored, PipelineError> {
    opts.extra_indicators.extend(catalogue.ids());
    let data = {
        let _stage = crate::progress::stage("load");
        load_folder(dir, &opts)?
    };
    assess(data, catalogue, as_of)
}

/// Assesses every site of a loaded data set.
pub fn assess(
    mut data: Dataset,
    catalogue: CompiledCatalogue,
    as_of: Option<NaiveDate>,
) -> Result<Scored, PipelineError> {
    let as_of = as_of
        .or_else(|| data.latest_event_date())
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let feats = {
        let _stage = crate::progress::stage("features");
        let targets = features::site_targets(&data, as_of)?;
        features::compute(&data, targets)?.collect()?.lazy()
    };
    // An import's id codes serve the features and the entity graph (which
    // never reads the payroll, the bulk of them).
    data.codes
        .retain(|table, _| table != crate::data::Table::Payroll);
    let assessment = {
        let _stage = crate::progress::stage("indicators");
        let present: Vec<crate::data::Table> = data.assessable_tables();
        catalogue.assess_with_tables(feats, &present)?
    };
    crate::frames::keep("features-sites", &assessment.frame, Vec::new())?;
    Ok(Scored {
        data,
        catalogue,
        as_of,
        assessment,
        model: None,
    })
}
