use std::collections::HashMap;
use std::str::FromStr;

/// Renames a registry's own column headers to patrolmap's field names: `--columns
/// source_id=编号,name=场所名称,lon=经度,lat=纬度`. Unmapped headers are taken as field names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap {
    header_for_field: HashMap<String, String>,
}

impl ColumnMap {
    /// The field a header stands for.
    pub fn field_of<'a>(&'a self, header: &'a str) -> &'a str {
        self.header_for_field
            .iter()
            .find(|(_, h)| h.as_str() == header)
            .map(|(f, _)| f.as_str())
            .unwrap_or(header)
    }

    /// The header a field is read from, for error messages.
    pub fn header_of<'a>(&'a self, field: &'a str) -> &'a str {
        self.header_for_field
            .get(field)
            .map(String::as_str)
            .unwrap_or(field)
    }
}

impl FromStr for ColumnMap {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let mut header_for_field = HashMap::new();
        for pair in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, header) = pair
                .split_once('=')
                .ok_or_else(|| format!("column mapping {pair:?} is not FIELD=HEADER"))?;
            let (field, header) = (field.trim(), header.trim());
            if field.is_empty() || header.is_empty() {
                return Err(format!("column mapping {pair:?} has an empty side"));
            }
            if header_for_field
                .insert(field.to_string(), header.to_string())
                .is_some()
            {
                return Err(format!("field {field:?} is mapped twice"));
            }
        }
        Ok(Self { header_for_field })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_headers_both_ways() {
        let m: ColumnMap = "lon=经度, lat=纬度".parse().unwrap();
        assert_eq!(m.field_of("经度"), "lon");
        assert_eq!(m.field_of("name"), "name");
        assert_eq!(m.header_of("lat"), "纬度");
        assert!("lon".parse::<ColumnMap>().is_err());
        assert!("lon=a,lon=b".parse::<ColumnMap>().is_err());
    }
}
