//! The reader of unit values: trade flows with their net weight and quantity.

use std::collections::HashSet;
use std::io::Read;

use tradewar_core::{
    Economy, Error as CoreError, HsCode, HsLevel, Quantity, QuantityUnit, TradeFlow, UnitValue, UnitValues,
    ValuationBasis,
};

use super::{check_flow, parse_decimal, parse_usd, parse_year};
use crate::csv_source::{CsvSource, Row};
use crate::error::{DataError, Result};

/// Reads unit values:
/// `year,exporter,importer,hs6,value_usd,basis,net_weight_kg,qty,qty_unit`
/// (the product column may also be called `product`; other columns are
/// ignored). `net_weight_kg` and the pair `qty`, `qty_unit` may be empty,
/// not both; `qty_unit` is one of UN Comtrade's units ([`QuantityUnit`]).
///
/// Refused, naming the line and column: a flow the trade loaders refuse, a
/// product that is not an HS6 subheading, a value, weight or quantity that
/// is not positive, a unit the library does not know, a quantity without its
/// unit or a unit without its quantity, a flow given twice.
///
/// ```
/// use tradewar_data::loaders::read_unit_values_csv;
/// let text = "year,exporter,importer,hs6,value_usd,basis,net_weight_kg,qty,qty_unit\n\
///             2017,CHN,USA,640299,2783687536,cif,132346007.177,473813596,2u\n";
/// let uv = read_unit_values_csv("mine.csv", text.as_bytes())?;
/// assert_eq!(uv.len(), 1);
/// let bad = text.replace("2u", "bushel");
/// let e = read_unit_values_csv("mine.csv", bad.as_bytes()).unwrap_err();
/// assert!(e.to_string().contains("line 2") && e.to_string().contains("bushel"), "{e}");
/// # Ok::<(), tradewar_data::DataError>(())
/// ```
pub fn read_unit_values_csv<R: Read>(source_name: &str, reader: R) -> Result<UnitValues> {
    let src = CsvSource::open(source_name, reader, &["year", "exporter", "importer", "value_usd", "basis"])?;
    let mut values = Vec::new();
    let mut seen: HashSet<(Economy, Economy, i32, HsCode)> = HashSet::new();
    src.for_each(|row| {
        let product_col = if row.get("hs6").is_empty() && !row.get("product").is_empty() { "product" } else { "hs6" };
        let flow = TradeFlow {
            year: row.parse("year", parse_year)?,
            exporter: row.parse("exporter", Economy::new)?,
            importer: row.parse("importer", Economy::new)?,
            product: row.parse(product_col, HsCode::new)?,
            value: row.parse("value_usd", parse_usd)?,
            basis: row.parse("basis", str::parse::<ValuationBasis>)?,
        };
        check_flow(row, &flow, "value_usd")?;
        let invalid =
            |column: &str, reason: String| row.error(column, CoreError::Invalid { what: "unit value", reason });
        if flow.product.level() != HsLevel::Subheading {
            return Err(invalid(product_col, format!("{}: unit values are kept by HS6 subheading", flow.product)));
        }
        let weight = match row.get("net_weight_kg") {
            "" => None,
            _ => Some(row.parse("net_weight_kg", parse_decimal)?),
        };
        let quantity = quantity(row)?;
        let key = (flow.importer, flow.exporter, flow.year, flow.product);
        let column = if flow.value.amount().is_zero() { "value_usd" } else { "net_weight_kg" };
        let uv = UnitValue::new(flow, weight, quantity).map_err(|e| row.error(column, e))?;
        if !seen.insert(key) {
            return Err(invalid(
                product_col,
                format!("{} to {}, {} in {} is given on an earlier line too", key.1, key.0, key.3, key.2),
            ));
        }
        values.push(uv);
        Ok(())
    })?;
    UnitValues::new(values)
        .map_err(|error| DataError::Domain { source_name: source_name.to_string(), error: Box::new(error) })
}

/// The `qty`, `qty_unit` pair of a row: both empty, or a positive amount in a known unit.
fn quantity(row: &Row<'_>) -> Result<Option<Quantity>> {
    match (row.get("qty"), row.get("qty_unit")) {
        ("", "") => Ok(None),
        (_, "") => Err(row
            .error("qty_unit", CoreError::Invalid { what: "unit value", reason: "a quantity needs its unit".into() })),
        ("", unit) => Err(row.error(
            "qty",
            CoreError::Invalid { what: "unit value", reason: format!("the unit {unit:?} has no quantity") },
        )),
        _ => {
            let amount = row.parse("qty", parse_decimal)?;
            let unit = row.parse("qty_unit", str::parse::<QuantityUnit>)?;
            Quantity::new(amount, unit).map(Some).map_err(|e| row.error("qty", e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "year,exporter,importer,hs6,value_usd,basis,net_weight_kg,qty,qty_unit\n";

    fn read(rows: &str) -> Result<UnitValues> {
        read_unit_values_csv("uv.csv", format!("{HEAD}{rows}").as_bytes())
    }

    #[test]
    fn each_bad_field_is_named_with_its_line() {
        assert_eq!(read("2017,CHN,USA,020130,10,cif,2,,\n2017,CHN,USA,020120,10,cif,,5,u\n").unwrap().len(), 2);
        for (row, column, says) in [
            ("2017,CHN,USA,020130,10,cif,-2,,", "net_weight_kg", "net weight -2 kg is not positive"),
            ("2017,CHN,USA,020130,10,cif,0,,", "net_weight_kg", "net weight 0 kg is not positive"),
            ("2017,CHN,USA,020130,0,cif,2,,", "value_usd", "the value 0 USD is not positive"),
            ("2017,CHN,USA,020130,10,cif,2,0,u", "qty", "0 u is not a positive quantity"),
            ("2017,CHN,USA,020130,10,cif,2,3,bushel", "qty_unit", "unknown quantity unit \"bushel\""),
            ("2017,CHN,USA,020130,10,cif,2,3,", "qty_unit", "a quantity needs its unit"),
            ("2017,CHN,USA,020130,10,cif,2,,u", "qty", "the unit \"u\" has no quantity"),
            ("2017,CHN,USA,020130,10,cif,,,", "net_weight_kg", "neither a net weight nor a quantity"),
            ("2017,CHN,USA,0201,10,cif,2,,", "hs6", "kept by HS6"),
            ("2017,CHN,USA,02013000,10,cif,2,,", "hs6", "kept by HS6"),
            ("2017,CHN,CHN,020130,10,cif,2,,", "importer", "both CHN"),
        ] {
            let e = read(&format!("2017,CHN,USA,020120,10,cif,2,,\n{row}\n")).unwrap_err();
            let text = e.to_string();
            assert!(matches!(&e, DataError::Row { line: 3, column: c, .. } if c == column), "{row}: {text}");
            assert!(text.contains(says), "{row}: {text}");
        }
        let e = read("2017,CHN,USA,020130,10,cif,2,,\n2017,CHN,USA,020120,10,cif,2,,\n2017,CHN,USA,020130,9,cif,1,,\n")
            .unwrap_err();
        assert!(matches!(e, DataError::Row { line: 4, .. }), "{e}");
        assert!(e.to_string().contains("CHN to USA, 0201.30 in 2017 is given on an earlier line too"), "{e}");
    }
}
