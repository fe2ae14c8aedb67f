//! The KU Leuven TOPTW benchmark format (Vansteenwegen, Righini & Salani, Montemanni &
//! Gambardella): line 1 `k v N t`, line 2 `D Q` (ignored), then one line per vertex
//! `i x y d S f a list… O C`, vertex 0 being the depot whose C is the route time budget.

use super::error::{InputError, Location};
use std::path::Path;

#[derive(Debug, Clone, PartialEq)]
pub struct ToptwVertex {
    /// The file's own vertex number.
    pub id: usize,
    pub x: f64,
    pub y: f64,
    pub service: f64,
    pub score: f64,
    pub open: f64,
    pub close: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ToptwInstance {
    pub name: String,
    /// Vertex 0 is the depot.
    pub vertices: Vec<ToptwVertex>,
}

pub fn read_toptw(path: &Path) -> Result<ToptwInstance, InputError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::file(path, format!("cannot read: {e}")))?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or_else(|| InputError::file(path, "the file is empty"))?;
    let n: usize = header
        .split_whitespace()
        .nth(2)
        .and_then(|f| f.parse().ok())
        .ok_or_else(|| {
            InputError::new(
                path,
                Location::Line(1),
                Some("N"),
                "line 1 must be `k v N t`",
            )
        })?;
    lines.next();
    let mut vertices = Vec::with_capacity(n + 1);
    for (i, line) in lines {
        let line_no = i as u64 + 1;
        let fields: Vec<&str> = line.split_whitespace().collect();
        let num = |k: usize, name: &str| -> Result<f64, InputError> {
            let f = fields.get(k).ok_or_else(|| {
                InputError::new(path, Location::Line(line_no), Some(name), "missing")
            })?;
            f.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    InputError::new(
                        path,
                        Location::Line(line_no),
                        Some(name),
                        format!("not a number: {f:?}"),
                    )
                })
        };
        if fields.len() < 9 {
            return Err(InputError::new(
                path,
                Location::Line(line_no),
                None,
                format!("{} fields; a vertex line has at least 9", fields.len()),
            ));
        }
        let a = num(6, "a")? as usize;
        if fields.len() != 9 + a {
            return Err(InputError::new(
                path,
                Location::Line(line_no),
                Some("a"),
                format!(
                    "a = {a} means {} fields, the line has {}",
                    9 + a,
                    fields.len()
                ),
            ));
        }
        let id = num(0, "i")? as usize;
        if id != vertices.len() {
            return Err(InputError::new(
                path,
                Location::Line(line_no),
                Some("i"),
                format!("vertex {id} out of order (expected {})", vertices.len()),
            ));
        }
        let (open, close) = (num(7 + a, "O")?, num(8 + a, "C")?);
        vertices.push(ToptwVertex {
            id,
            x: num(1, "x")?,
            y: num(2, "y")?,
            service: num(3, "d")?,
            score: num(4, "S")?,
            open,
            close,
        });
    }
    if vertices.len() != n + 1 {
        return Err(InputError::file(
            path,
            format!(
                "line 1 announces {n} customers, the file has {}",
                vertices.len().saturating_sub(1)
            ),
        ));
    }
    Ok(ToptwInstance { name, vertices })
}
