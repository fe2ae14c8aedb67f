use std::fmt;
use std::path::{Path, PathBuf};

/// Where in an input a problem was found, as precisely as the format allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The file as a whole (unreadable, not the format it claims to be).
    File,
    /// A 1-based line of a text file (CSV rows count the header as line 1).
    Line(u64),
    /// A 0-based feature index in a GeoJSON FeatureCollection.
    Feature(usize),
    /// An OSM element, e.g. `node/123`.
    Element(String),
}

/// One bad piece of input: the file, the place in it, the field, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub file: PathBuf,
    pub location: Location,
    pub field: Option<String>,
    pub message: String,
}

impl InputError {
    pub fn new(
        file: &Path,
        location: Location,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.to_path_buf(),
            location,
            field: field.map(str::to_string),
            message: message.into(),
        }
    }

    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        Self::new(file, Location::File, None, message)
    }

    /// `line 14`, `feature 3`, `node/42`, or empty for the whole file.
    pub fn place(&self) -> String {
        match &self.location {
            Location::File => String::new(),
            Location::Line(n) => format!("line {n}"),
            Location::Feature(i) => format!("feature {i}"),
            Location::Element(e) => e.clone(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        let place = self.place();
        if !place.is_empty() {
            write!(f, ": {place}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for InputError {}

/// A whole file refused: its first problem and how many more there were.
#[derive(Debug, Clone)]
pub struct RejectedFile {
    pub errors: Vec<InputError>,
}

impl fmt::Display for RejectedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(first) = self.errors.first() else {
            return write!(f, "input rejected");
        };
        write!(f, "{first}")?;
        let more = self.errors.len() - 1;
        if more > 0 {
            write!(
                f,
                " (and {more} more problem{})",
                if more == 1 { "" } else { "s" }
            )?;
        }
        write!(
            f,
            "; nothing was imported. Fix the file, or rerun with --skip-invalid to import the good rows and list the rest"
        )
    }
}

impl std::error::Error for RejectedFile {}
