//! The one generic table component. Rows supply their cells through
//! [`DataToCell`] and their order through [`SortableRow`]; the component
//! ([`DataTable`]) owns the columns, the sort, the selection and the scroll
//! offset, clamps them whenever the number of rows changes, and renders
//! only the visible window (`offset..offset + height`), so a million rows
//! cost no more to draw than fifty. The layout maths are pure functions
//! ([`window`], [`fit_columns`]) with unit tests.

use std::cell::Cell as StdCell;
use std::cmp::Ordering;

use ratatui::Frame;
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState};
use rayon::prelude::*;

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    /// Smallest first.
    Ascending,
    /// Largest first.
    Descending,
}

impl SortOrder {
    /// The other direction.
    pub fn reversed(self) -> SortOrder {
        match self {
            SortOrder::Ascending => SortOrder::Descending,
            SortOrder::Descending => SortOrder::Ascending,
        }
    }

    /// An arrow for headers.
    pub fn arrow(self) -> &'static str {
        match self {
            SortOrder::Ascending => "↑",
            SortOrder::Descending => "↓",
        }
    }
}

/// A column of a table.
pub trait Column: Copy + PartialEq + Send + Sync + 'static {
    /// Header text.
    fn title(self) -> &'static str;
    /// Width in cells; the last flexible column takes what is left.
    fn width(self) -> u16;
    /// Whether it takes the remaining width (at least [`Column::width`]).
    fn flexible(self) -> bool {
        false
    }
    /// Lower numbers are kept first when the terminal is narrow.
    fn keep(self) -> u8;
    /// Whether `s` can sort by it.
    fn sortable(self) -> bool {
        true
    }
    /// The direction a first `s` on it sorts in.
    fn default_order(self) -> SortOrder {
        SortOrder::Ascending
    }
}

/// A row that can show itself in the columns `C`.
pub trait DataToCell<C: Column> {
    /// The cell of one column (text and style).
    fn cell(&self, column: C) -> Cell<'static>;
}

/// A row that can be ordered by the columns `C`.
pub trait SortableRow<C: Column> {
    /// Ascending comparison by one column.
    fn compare(&self, other: &Self, column: C) -> Ordering;
}

/// The scroll offset that keeps `selected` visible in a window of
/// `height` rows over `len` rows, moving `offset` as little as possible.
pub fn window(offset: usize, selected: usize, height: usize, len: usize) -> usize {
    if len == 0 || height == 0 {
        return 0;
    }
    let selected = selected.min(len.saturating_sub(1));
    let max_offset = len.saturating_sub(height);
    let offset = if selected < offset {
        selected
    } else if selected >= offset + height {
        selected + 1 - height
    } else {
        offset
    };
    offset.min(max_offset)
}

/// The columns that fit in `width` (with one space between columns),
/// chosen by [`Column::keep`] and shown in their original order.
pub fn fit_columns<C: Column>(columns: &[C], width: u16) -> Vec<C> {
    let mut by_keep: Vec<usize> = (0..columns.len()).collect();
    by_keep.sort_by_key(|i| columns[*i].keep());
    let mut used: u32 = 0;
    let mut chosen = vec![false; columns.len()];
    for i in by_keep {
        let need = u32::from(columns[i].width()) + u32::from(used > 0);
        if used + need <= u32::from(width) {
            used += need;
            chosen[i] = true;
        }
    }
    columns
        .iter()
        .zip(chosen)
        .filter(|(_, c)| *c)
        .map(|(col, _)| *col)
        .collect()
}

/// Sorts view positions (indices into `rows`) by a column; ties keep the
/// natural order (by index), so the same data always sorts the same way.
pub fn sort_view<C: Column, R: SortableRow<C> + Sync>(
    view: &mut [usize],
    rows: &[R],
    column: C,
    order: SortOrder,
) {
    view.par_sort_unstable_by(|a, b| {
        let (ra, rb) = (rows.get(*a), rows.get(*b));
        let by_col = match (ra, rb) {
            (Some(x), Some(y)) => x.compare(y, column),
            _ => Ordering::Equal,
        };
        let by_col = if order == SortOrder::Descending {
            by_col.reverse()
        } else {
            by_col
        };
        by_col.then(a.cmp(b))
    });
}

/// A scrolling, sortable table over a view of rows it does not own.
#[derive(Debug)]
pub struct DataTable<C: Column> {
    columns: Vec<C>,
    sort: Option<(C, SortOrder)>,
    selected: usize,
    offset: StdCell<usize>,
    body: StdCell<Rect>,
}

impl<C: Column> DataTable<C> {
    /// A table with these columns, in natural order, first row selected.
    pub fn new(columns: Vec<C>) -> Self {
        DataTable {
            columns,
            sort: None,
            selected: 0,
            offset: StdCell::new(0),
            body: StdCell::new(Rect::default()),
        }
    }

    /// The columns.
    pub fn columns(&self) -> &[C] {
        &self.columns
    }

    /// The sort, if any (`None`: the rows' natural order).
    pub fn sort(&self) -> Option<(C, SortOrder)> {
        self.sort
    }

    /// Sorts by the next sortable column (after the current one), in its
    /// default direction; `None` when no column can sort.
    pub fn sort_next(&mut self) -> Option<(C, SortOrder)> {
        let sortable: Vec<C> = self
            .columns
            .iter()
            .copied()
            .filter(|c| c.sortable())
            .collect();
        // Unsorted is the natural order, which is the first sortable column's.
        let pos = self
            .sort
            .and_then(|(c, _)| sortable.iter().position(|x| *x == c))
            .unwrap_or(0);
        let next = sortable
            .get(pos + 1)
            .or_else(|| sortable.first())
            .copied()?;
        self.sort = Some((next, next.default_order()));
        self.sort
    }

    /// Reverses the sort direction (sorting by the first column if unsorted).
    pub fn reverse(&mut self) -> Option<(C, SortOrder)> {
        self.sort = match self.sort {
            Some((c, o)) => Some((c, o.reversed())),
            None => self
                .columns
                .iter()
                .copied()
                .find(|c| c.sortable())
                .map(|c| (c, c.default_order().reversed())),
        };
        self.sort
    }

    /// The selected position in a view of `len` rows (`None` when empty).
    pub fn selected(&self, len: usize) -> Option<usize> {
        if len == 0 {
            None
        } else {
            Some(self.selected.min(len.saturating_sub(1)))
        }
    }

    /// Selects a position, clamped to `len`.
    pub fn select(&mut self, pos: usize, len: usize) {
        self.selected = pos.min(len.saturating_sub(1));
    }

    /// Moves the selection by `delta`, clamped to the ends.
    pub fn move_by(&mut self, delta: isize, len: usize) {
        let cur = self.selected.min(len.saturating_sub(1));
        let next = if delta < 0 {
            cur.saturating_sub(delta.unsigned_abs())
        } else {
            cur.saturating_add(delta.unsigned_abs())
        };
        self.select(next, len);
    }

    /// Rows that fit in the body when it was last drawn (at least 1).
    pub fn page(&self) -> usize {
        usize::from(self.body.get().height).max(1)
    }

    /// The view position under a screen cell, if the last drawn body holds it.
    pub fn position_at(&self, column: u16, row: u16, len: usize) -> Option<usize> {
        let body = self.body.get();
        if !body.contains(Position::new(column, row)) {
            return None;
        }
        let pos = self.offset.get() + usize::from(row - body.y);
        (pos < len).then_some(pos)
    }

    /// Draws the table in `area`: a header with the sort arrow, then only
    /// the visible rows; `row(i)` gives the row at view position `i`.
    pub fn render<R, F>(
        &self,
        frame: &mut Frame,
        area: Rect,
        len: usize,
        row: F,
        block: Block<'_>,
        empty: &str,
    ) where
        R: DataToCell<C>,
        F: Fn(usize) -> Option<R>,
    {
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if inner.height < 2 || inner.width < 4 {
            self.body.set(Rect::default());
            return;
        }
        let cols = fit_columns(&self.columns, inner.width);
        let body_height = inner.height - 1;
        let body = Rect {
            y: inner.y + 1,
            height: body_height,
            ..inner
        };
        self.body.set(body);
        let selected = self.selected.min(len.saturating_sub(1));
        let offset = window(self.offset.get(), selected, usize::from(body_height), len);
        self.offset.set(offset);

        let header = Row::new(cols.iter().map(|c| {
            let arrow = match self.sort {
                Some((s, o)) if s == *c => o.arrow(),
                _ => "",
            };
            Cell::new(format!("{}{arrow}", c.title()))
        }))
        .style(Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED));
        let end = offset.saturating_add(usize::from(body_height)).min(len);
        let rows: Vec<Row<'static>> = (offset..end)
            .map(|i| match row(i) {
                Some(r) => Row::new(cols.iter().map(|c| r.cell(*c)).collect::<Vec<_>>()),
                None => Row::new(Vec::<Cell<'static>>::new()),
            })
            .collect();
        let widths: Vec<Constraint> = cols
            .iter()
            .map(|c| {
                if c.flexible() {
                    Constraint::Min(c.width())
                } else {
                    Constraint::Length(c.width())
                }
            })
            .collect();
        let table = Table::new(rows, widths)
            .header(header)
            .column_spacing(1)
            .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED));
        let highlighted = if len == 0 {
            None
        } else {
            Some(selected.saturating_sub(offset))
        };
        let mut state = TableState::new().with_selected(highlighted);
        frame.render_stateful_widget(table, inner, &mut state);
        if len == 0 {
            frame.render_widget(Paragraph::new(Line::from(empty.to_string())), body);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Col {
        A,
        B,
        C,
    }

    impl Column for Col {
        fn title(self) -> &'static str {
            "x"
        }
        fn width(self) -> u16 {
            match self {
                Col::A => 5,
                Col::B => 10,
                Col::C => 20,
            }
        }
        fn keep(self) -> u8 {
            match self {
                Col::A => 0,
                Col::B => 2,
                Col::C => 1,
            }
        }
    }

    impl SortableRow<Col> for (i32, &'static str) {
        fn compare(&self, other: &Self, column: Col) -> Ordering {
            match column {
                Col::A => self.0.cmp(&other.0),
                _ => self.1.cmp(other.1),
            }
        }
    }

    #[test]
    fn window_keeps_the_selection_visible_and_never_overflows() {
        assert_eq!(window(0, 0, 10, 0), 0);
        assert_eq!(window(5, 0, 10, 0), 0);
        assert_eq!(window(0, 15, 10, 100), 6);
        assert_eq!(window(6, 3, 10, 100), 3);
        assert_eq!(window(6, 8, 10, 100), 6);
        assert_eq!(window(95, 99, 10, 100), 90);
        assert_eq!(window(0, 500, 10, 100), 90);
        assert_eq!(window(3, 2, 0, 100), 0);
        assert_eq!(window(50, 4, 10, 5), 0);
    }

    #[test]
    fn narrow_tables_keep_the_most_important_columns_in_order() {
        let cols = [Col::A, Col::B, Col::C];
        assert_eq!(fit_columns(&cols, 100), vec![Col::A, Col::B, Col::C]);
        assert_eq!(fit_columns(&cols, 26), vec![Col::A, Col::C]);
        assert_eq!(fit_columns(&cols, 17), vec![Col::A, Col::B]);
        assert_eq!(fit_columns(&cols, 3), Vec::<Col>::new());
    }

    #[test]
    fn selection_and_sort_are_clamped_and_stable() {
        let mut t = DataTable::new(vec![Col::A, Col::B]);
        assert_eq!(t.selected(0), None);
        t.move_by(-5, 0);
        t.move_by(5, 0);
        assert_eq!(t.selected(0), None);
        t.move_by(7, 3);
        assert_eq!(t.selected(3), Some(2));
        t.move_by(-9, 3);
        assert_eq!(t.selected(3), Some(0));
        assert_eq!(t.position_at(0, 0, 3), None);
        let rows = [(2, "b"), (1, "b"), (2, "a")];
        let mut view = vec![0, 1, 2];
        sort_view(&mut view, &rows, Col::A, SortOrder::Descending);
        assert_eq!(view, vec![0, 2, 1]);
        sort_view(&mut view, &rows, Col::B, SortOrder::Ascending);
        assert_eq!(view, vec![2, 0, 1]);
        assert_eq!(t.sort_next(), Some((Col::B, SortOrder::Ascending)));
        assert_eq!(t.sort_next(), Some((Col::A, SortOrder::Ascending)));
        assert_eq!(t.reverse(), Some((Col::A, SortOrder::Descending)));
    }
}
