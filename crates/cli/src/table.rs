//! Plain-text tables and label/value blocks for people (not for scripts:
//! those use `--json`). Widths count characters, which is right for the
//! text we print: Latin letters, `€`, and the no-break spaces of French
//! amounts are all one column wide.

/// How a column's cells line up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    /// Amounts and quantities, so their decimals line up.
    Right,
}

/// A table with a header row.
#[derive(Debug)]
pub struct Table {
    columns: Vec<(&'static str, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(columns: &[(&'static str, Align)]) -> Table {
        Table {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.columns.len());
        // A cell is one line: a multi-line description would break the grid.
        // (Only line breaks and tabs go: the no-break spaces of French
        // amounts stay.)
        let cells = cells
            .into_iter()
            .map(|cell| cell.trim().replace(['\n', '\r', '\t'], " "))
            .collect();
        self.rows.push(cells);
    }

    /// The header and rows, columns separated by two spaces, each line
    /// ending with a new line and no trailing spaces.
    pub fn render(&self) -> String {
        let header: Vec<String> = self.columns.iter().map(|(h, _)| (*h).to_owned()).collect();
        let lines: Vec<&Vec<String>> = std::iter::once(&header).chain(&self.rows).collect();
        let widths: Vec<usize> = (0..self.columns.len())
            .map(|i| lines.iter().map(|l| width(&l[i])).max().unwrap_or(0))
            .collect();
        let mut out = String::new();
        for line in lines {
            let cells: Vec<String> = line
                .iter()
                .zip(&self.columns)
                .zip(&widths)
                .map(|((cell, (_, align)), w)| pad(cell, *w, *align))
                .collect();
            out.push_str(cells.join("  ").trim_end());
            out.push('\n');
        }
        out
    }
}

/// `label  value` lines with the values lined up; `None` values are left out.
pub fn block(pairs: &[(&str, Option<String>)]) -> String {
    let shown: Vec<(&str, &String)> = pairs
        .iter()
        .filter_map(|(label, value)| value.as_ref().map(|v| (*label, v)))
        .collect();
    let label_width = shown.iter().map(|(l, _)| width(l)).max().unwrap_or(0);
    let mut out = String::new();
    for (label, value) in shown {
        // Continuation lines of a multi-line value (an address) line up too.
        for (i, line) in value.lines().enumerate() {
            let label = if i == 0 { label } else { "" };
            out.push_str(pad(label, label_width, Align::Left).as_str());
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn width(text: &str) -> usize {
    text.chars().count()
}

fn pad(text: &str, width_: usize, align: Align) -> String {
    let fill = " ".repeat(width_.saturating_sub(width(text)));
    match align {
        Align::Left => format!("{text}{fill}"),
        Align::Right => format!("{fill}{text}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up() {
        let mut table = Table::new(&[("NAME", Align::Left), ("TOTAL", Align::Right)]);
        table.row(vec![
            "Boulangerie Martin".into(),
            "1\u{202f}215,00\u{a0}€".into(),
        ]);
        table.row(vec!["Zoé".into(), "9,50\u{a0}€".into()]);
        assert_eq!(
            table.render(),
            "NAME                     TOTAL\n\
             Boulangerie Martin  1\u{202f}215,00\u{a0}€\n\
             Zoé                     9,50\u{a0}€\n"
        );
    }

    #[test]
    fn blocks_skip_missing_values_and_indent_continuations() {
        let text = block(&[
            ("Address", Some("12 rue des Lilas\n75011 Paris".into())),
            ("IBAN", None),
            ("SIREN", Some("732 829 320".into())),
        ]);
        assert_eq!(
            text,
            "Address  12 rue des Lilas\n         75011 Paris\nSIREN    732 829 320\n"
        );
    }
}
