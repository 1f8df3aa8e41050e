//! Results tables of a study, written as they are produced, in two formats with
//! the same content: CSV and Parquet.
//!
//! A [`TableWriter`] writes one table to `<dir>/<name>.csv` and
//! `<dir>/<name>.parquet` at once.
//!
//! - **CSV**: RFC 4180 (via the `csv` crate), a header row with the column
//!   names, `\n` line ends, fields quoted only where needed. A null is an empty
//!   field. Unsigned integers are written in decimal, booleans as `true` /
//!   `false`, floats with Rust's `{}` formatting, which is the shortest text
//!   that parses back to exactly the same `f64` (no exponent: `1e300` is
//!   written out in full). Non-finite floats are written as `NaN`, `inf` and
//!   `-inf`, which Rust, pandas, polars and DuckDB all read back as such.
//! - **Parquet**: a flat schema with one leaf column per table column, Snappy
//!   compression, data pages v1. Strings are `BYTE_ARRAY` annotated `STRING`
//!   (`UTF8`), [`ColumnType::U64`] is `INT64` annotated `INTEGER(64, false)`
//!   (read as `uint64` / `UBIGINT`), floats are `DOUBLE`, booleans `BOOLEAN`.
//!   The `Opt*` columns are `OPTIONAL` (nulls as definition levels), the others
//!   `REQUIRED`. Non-finite floats are stored as they are.
//!
//! Rows are buffered in memory only up to the row-group size
//! ([`DEFAULT_ROW_GROUP_SIZE`] rows unless [`TableWriter::with_row_group_size`]
//! says otherwise) and then written out as one Parquet row group, so memory
//! stays flat however many rows a table gets. The CSV writer is flushed at the
//! same time.
//!
//! Output is deterministic: the same rows give byte-identical files (no
//! timestamps; the Parquet `created_by` is the fixed string
//! [`CREATED_BY`]).
//!
//! One caveat of CSV: in an [`ColumnType::OptStr`] column an empty string and
//! a null are both an empty field, so [`read_csv`] gives back `Null` for both;
//! Parquet keeps them apart. (In a [`ColumnType::Str`] column an empty field is
//! the empty string.) Other CSV readers (polars, DuckDB, pandas) read every
//! empty field as null, also in a `Str` column.
//!
//! [`read_parquet`] and [`read_csv`] read the files back, row by row in order,
//! also with flat memory (for tests, merging and resuming).

use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::journal::{FileMark, JournalFile};
use parquet::basic::{Compression, ConvertedType, LogicalType, Repetition, Type as PhysicalType};
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DataType, DoubleType, Int64Type};
use parquet::errors::ParquetError;
use parquet::file::properties::{WriterProperties, WriterVersion};
use parquet::file::reader::FileReader;
use parquet::file::serialized_reader::SerializedFileReader;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::{ColumnDescriptor, Type as SchemaType};

/// Rows buffered before they are written out as one Parquet row group.
pub const DEFAULT_ROW_GROUP_SIZE: usize = 65_536;

/// The `created_by` string of every Parquet file written here (fixed, so that
/// files are reproducible).
pub const CREATED_BY: &str = "detente";

/// Records decoded per column at a time when reading Parquet back.
const READ_BATCH: usize = 4096;

/// Column types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// A UTF-8 string, never null.
    Str,
    /// A UTF-8 string or null.
    OptStr,
    /// An unsigned 64-bit integer, never null.
    U64,
    /// A 64-bit float, never null (NaN and infinities allowed).
    F64,
    /// A 64-bit float or null (NaN and infinities allowed).
    OptF64,
    /// A boolean, never null.
    Bool,
    /// A boolean or null.
    OptBool,
}

impl ColumnType {
    /// Whether the column admits [`Value::Null`].
    pub fn is_optional(self) -> bool {
        matches!(self, Self::OptStr | Self::OptF64 | Self::OptBool)
    }

    /// Whether `value` may stand in a column of this type.
    pub fn accepts(self, value: &Value) -> bool {
        matches!(
            (self, value),
            (Self::Str | Self::OptStr, Value::Str(_))
                | (Self::U64, Value::U64(_))
                | (Self::F64 | Self::OptF64, Value::F64(_))
                | (Self::Bool | Self::OptBool, Value::Bool(_))
                | (Self::OptStr | Self::OptF64 | Self::OptBool, Value::Null)
        )
    }
}

/// A column: name and type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Column {
    /// The column's name (CSV header, Parquet field name).
    pub name: String,
    /// The column's type.
    pub ty: ColumnType,
}

impl Column {
    /// A column with this name and type.
    pub fn new(name: impl Into<String>, ty: ColumnType) -> Self {
        Self {
            name: name.into(),
            ty,
        }
    }
}

/// One value (must match its column's type; `Null` only in Opt columns).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string ([`ColumnType::Str`], [`ColumnType::OptStr`]).
    Str(String),
    /// An unsigned integer ([`ColumnType::U64`]).
    U64(u64),
    /// A float ([`ColumnType::F64`], [`ColumnType::OptF64`]).
    F64(f64),
    /// A boolean ([`ColumnType::Bool`], [`ColumnType::OptBool`]).
    Bool(bool),
    /// No value (only in the `Opt*` column types).
    Null,
}

impl Value {
    /// A short name of the value's kind, for error messages.
    fn kind(&self) -> &'static str {
        match self {
            Self::Str(_) => "a string",
            Self::U64(_) => "a u64",
            Self::F64(_) => "an f64",
            Self::Bool(_) => "a bool",
            Self::Null => "null",
        }
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Self::Str(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Self::Str(v.to_owned())
    }
}

impl From<u64> for Value {
    fn from(v: u64) -> Self {
        Self::U64(v)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Self::F64(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Self::Bool(v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null, Into::into)
    }
}

/// The rows of one Parquet column not yet written out.
#[derive(Debug)]
enum ColumnBuffer {
    Str {
        values: Vec<ByteArray>,
        defs: Vec<i16>,
    },
    U64(Vec<i64>),
    F64 {
        values: Vec<f64>,
        defs: Vec<i16>,
    },
    Bool {
        values: Vec<bool>,
        defs: Vec<i16>,
    },
}

impl ColumnBuffer {
    fn new(ty: ColumnType) -> Self {
        match ty {
            ColumnType::Str | ColumnType::OptStr => Self::Str {
                values: Vec::new(),
                defs: Vec::new(),
            },
            ColumnType::U64 => Self::U64(Vec::new()),
            ColumnType::F64 | ColumnType::OptF64 => Self::F64 {
                values: Vec::new(),
                defs: Vec::new(),
            },
            ColumnType::Bool | ColumnType::OptBool => Self::Bool {
                values: Vec::new(),
                defs: Vec::new(),
            },
        }
    }

    /// Appends one value already checked against the column type.
    fn push(&mut self, value: &Value) {
        match (self, value) {
            (Self::Str { values, defs }, Value::Str(s)) => {
                values.push(ByteArray::from(s.as_bytes().to_vec()));
                defs.push(1);
            }
            (Self::U64(values), Value::U64(v)) => {
                // Stored as the same 64 bits; the UINT_64 annotation makes
                // readers see them as unsigned.
                values.push(*v as i64);
            }
            (Self::F64 { values, defs }, Value::F64(v)) => {
                values.push(*v);
                defs.push(1);
            }
            (Self::Bool { values, defs }, Value::Bool(v)) => {
                values.push(*v);
                defs.push(1);
            }
            (Self::Str { defs, .. } | Self::F64 { defs, .. } | Self::Bool { defs, .. }, _) => {
                defs.push(0);
            }
            (Self::U64(_), _) => unreachable!("value checked against its column type"),
        }
    }

    fn clear(&mut self) {
        match self {
            Self::Str { values, defs } => {
                values.clear();
                defs.clear();
            }
            Self::U64(values) => values.clear(),
            Self::F64 { values, defs } => {
                values.clear();
                defs.clear();
            }
            Self::Bool { values, defs } => {
                values.clear();
                defs.clear();
            }
        }
    }
}

/// Converts a Parquet error into an I/O error naming the file.
fn parquet_error(path: &Path, what: &str, e: ParquetError) -> io::Error {
    match e {
        ParquetError::External(inner) => match inner.downcast::<io::Error>() {
            Ok(io) => io::Error::new(
                io.kind(),
                format!("parquet file {}: {what}: {io}", path.display()),
            ),
            Err(other) => {
                io::Error::other(format!("parquet file {}: {what}: {other}", path.display()))
            }
        },
        e => io::Error::other(format!("parquet file {}: {what}: {e}", path.display())),
    }
}

/// Converts a CSV error into an I/O error naming the file.
fn csv_error(path: &Path, e: csv::Error) -> io::Error {
    let message = format!("CSV file {}: {e}", path.display());
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io::Error::new(io.kind(), message),
        _ => io::Error::new(io::ErrorKind::InvalidData, message),
    }
}

fn invalid_input(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

fn invalid_data(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// The Parquet schema of a table: one flat message of primitive fields.
fn parquet_schema(columns: &[Column]) -> parquet::errors::Result<SchemaType> {
    let fields = columns
        .iter()
        .map(|c| {
            let repetition = if c.ty.is_optional() {
                Repetition::OPTIONAL
            } else {
                Repetition::REQUIRED
            };
            let builder = match c.ty {
                ColumnType::Str | ColumnType::OptStr => {
                    SchemaType::primitive_type_builder(&c.name, PhysicalType::BYTE_ARRAY)
                        .with_logical_type(Some(LogicalType::String))
                        .with_converted_type(ConvertedType::UTF8)
                }
                ColumnType::U64 => SchemaType::primitive_type_builder(&c.name, PhysicalType::INT64)
                    .with_logical_type(Some(LogicalType::integer(64, false)))
                    .with_converted_type(ConvertedType::UINT_64),
                ColumnType::F64 | ColumnType::OptF64 => {
                    SchemaType::primitive_type_builder(&c.name, PhysicalType::DOUBLE)
                }
                ColumnType::Bool | ColumnType::OptBool => {
                    SchemaType::primitive_type_builder(&c.name, PhysicalType::BOOLEAN)
                }
            };
            builder.with_repetition(repetition).build().map(Arc::new)
        })
        .collect::<parquet::errors::Result<Vec<_>>>()?;
    SchemaType::group_type_builder("schema")
        .with_fields(fields)
        .build()
}

/// The definition levels to write: only for optional columns.
fn levels(optional: bool, defs: &[i16]) -> Option<&[i16]> {
    optional.then_some(defs)
}

/// Writes one table to `<dir>/<name>.csv` and `<dir>/<name>.parquet`.
///
/// Call [`TableWriter::finish`] at the end: it writes the last row group and
/// the Parquet footer. A writer dropped without `finish` leaves a CSV file
/// that may miss its last buffered rows and a Parquet file without footer,
/// which no reader accepts.
pub struct TableWriter {
    columns: Vec<Column>,
    csv_path: PathBuf,
    parquet_path: PathBuf,
    csv: csv::Writer<JournalFile>,
    parquet: SerializedFileWriter<BufWriter<File>>,
    buffers: Vec<ColumnBuffer>,
    /// Rows in `buffers`, not yet in a row group.
    buffered: usize,
    row_group_size: usize,
    rows: u64,
    /// Reused text of a number in CSV.
    scratch: String,
}

impl std::fmt::Debug for TableWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableWriter")
            .field("columns", &self.columns)
            .field("csv_path", &self.csv_path)
            .field("parquet_path", &self.parquet_path)
            .field("buffered", &self.buffered)
            .field("row_group_size", &self.row_group_size)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

impl TableWriter {
    /// Creates both files (in `dir`, which must exist) for a table with these
    /// columns, replacing files of the same names.
    ///
    /// Errors (`InvalidInput`) when there are no columns, or a column name is
    /// empty or repeated.
    pub fn create(dir: &Path, name: &str, columns: Vec<Column>) -> io::Result<TableWriter> {
        if columns.is_empty() {
            return Err(invalid_input(format!("table `{name}` has no columns")));
        }
        let mut seen = HashSet::new();
        for c in &columns {
            if c.name.is_empty() {
                return Err(invalid_input(format!(
                    "table `{name}` has a column without a name"
                )));
            }
            if !seen.insert(c.name.as_str()) {
                return Err(invalid_input(format!(
                    "table `{name}` has two columns named `{}`",
                    c.name
                )));
            }
        }

        let csv_path = dir.join(format!("{name}.csv"));
        let mut csv = csv_writer(JournalFile::create(&csv_path)?);
        csv.write_record(columns.iter().map(|c| c.name.as_bytes()))
            .map_err(|e| csv_error(&csv_path, e))?;
        Self::open(dir, name, columns, csv_path, csv)
    }

    /// Opens the table `name` in `dir` again after a stop, to go on from `mark`: the CSV file
    /// must start with exactly the marked bytes (anything after them, the rows in flight at the
    /// stop, is cut off), and the Parquet file is rebuilt from those rows. Appending the same
    /// rows that an uninterrupted study would have appended gives byte-identical files.
    pub fn reopen(
        dir: &Path,
        name: &str,
        columns: Vec<Column>,
        mark: &TableMark,
    ) -> io::Result<TableWriter> {
        let csv_path = dir.join(format!("{name}.csv"));
        let csv = csv_writer(JournalFile::reopen(&csv_path, &mark.file)?);
        let parquet_path = dir.join(format!("{name}.parquet"));
        if std::fs::symlink_metadata(&parquet_path).is_ok() {
            std::fs::remove_file(&parquet_path)?;
        }
        let mut w = Self::open(dir, name, columns, csv_path.clone(), csv)?;
        let mut failed = None;
        read_csv(&csv_path, &w.columns.clone(), |row| {
            if failed.is_none() {
                failed = w.push_parquet(row).err();
            }
        })?;
        if let Some(e) = failed {
            return Err(e);
        }
        if w.rows != mark.rows {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{} holds {} rows, not the {} its checkpoint counts",
                    csv_path.display(),
                    w.rows,
                    mark.rows
                ),
            ));
        }
        Ok(w)
    }

    /// Flushes the CSV file and returns the mark of what it holds (rows, bytes, hash): what a
    /// checkpoint records. The Parquet file is not complete before [`TableWriter::finish`]; a
    /// study stopped before that rebuilds it from the CSV file ([`TableWriter::reopen`]).
    pub fn mark(&mut self) -> io::Result<TableMark> {
        self.csv
            .flush()
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", self.csv_path.display())))?;
        Ok(TableMark {
            rows: self.rows,
            file: self.csv.get_ref().position(),
        })
    }

    fn open(
        dir: &Path,
        name: &str,
        columns: Vec<Column>,
        csv_path: PathBuf,
        csv: csv::Writer<JournalFile>,
    ) -> io::Result<TableWriter> {
        let parquet_path = dir.join(format!("{name}.parquet"));
        let schema = parquet_schema(&columns)
            .map_err(|e| parquet_error(&parquet_path, "building the schema", e))?;
        let properties = WriterProperties::builder()
            .set_writer_version(WriterVersion::PARQUET_1_0)
            .set_compression(Compression::SNAPPY)
            .set_created_by(CREATED_BY.to_owned())
            .build();
        let parquet_file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&parquet_path)
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("cannot create {}: {e}", parquet_path.display()),
                )
            })?;
        let parquet = SerializedFileWriter::new(
            BufWriter::new(parquet_file),
            Arc::new(schema),
            Arc::new(properties),
        )
        .map_err(|e| parquet_error(&parquet_path, "starting the file", e))?;

        let buffers = columns.iter().map(|c| ColumnBuffer::new(c.ty)).collect();
        Ok(TableWriter {
            columns,
            csv_path,
            parquet_path,
            csv,
            parquet,
            buffers,
            buffered: 0,
            row_group_size: DEFAULT_ROW_GROUP_SIZE,
            rows: 0,
            scratch: String::new(),
        })
    }

    /// Same with a custom row-group size (rows buffered before a Parquet row
    /// group is written; at least 1).
    pub fn with_row_group_size(mut self, rows: usize) -> Self {
        self.row_group_size = rows.max(1);
        self
    }

    /// The table's columns.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Appends one row; errors (not panics) when the row does not match the
    /// schema (wrong length, wrong type, null in a non-optional column), in
    /// which case nothing is written.
    pub fn push(&mut self, row: &[Value]) -> io::Result<()> {
        self.check(row)?;
        for v in row {
            let result = match v {
                Value::Str(s) => self.csv.write_field(s),
                Value::U64(x) => {
                    self.scratch.clear();
                    let _ = write!(self.scratch, "{x}");
                    self.csv.write_field(&self.scratch)
                }
                Value::F64(x) => {
                    self.scratch.clear();
                    let _ = write!(self.scratch, "{x}");
                    self.csv.write_field(&self.scratch)
                }
                Value::Bool(b) => self.csv.write_field(if *b { "true" } else { "false" }),
                Value::Null => self.csv.write_field(""),
            };
            result.map_err(|e| csv_error(&self.csv_path, e))?;
        }
        self.csv
            .write_record(None::<&[u8]>)
            .map_err(|e| csv_error(&self.csv_path, e))?;
        self.push_parquet(row)
    }

    /// Adds a row (already checked, or read back from the CSV file) to the Parquet buffers.
    fn push_parquet(&mut self, row: &[Value]) -> io::Result<()> {
        self.check(row)?;
        for (buffer, v) in self.buffers.iter_mut().zip(row) {
            buffer.push(v);
        }
        self.buffered += 1;
        self.rows += 1;
        if self.buffered >= self.row_group_size {
            self.flush_row_group()?;
        }
        Ok(())
    }

    /// Errors when `row` does not match the schema.
    fn check(&self, row: &[Value]) -> io::Result<()> {
        if row.len() != self.columns.len() {
            return Err(invalid_input(format!(
                "{}: row has {} values, table has {} columns",
                self.parquet_path.display(),
                row.len(),
                self.columns.len()
            )));
        }
        for (c, v) in self.columns.iter().zip(row) {
            if !c.ty.accepts(v) {
                return Err(invalid_input(format!(
                    "{}: column `{}` is {:?} but got {}",
                    self.parquet_path.display(),
                    c.name,
                    c.ty,
                    v.kind()
                )));
            }
        }

        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Writes the buffered rows as one Parquet row group and flushes the CSV.
    fn flush_row_group(&mut self) -> io::Result<()> {
        if self.buffered == 0 {
            return Ok(());
        }
        let path = &self.parquet_path;
        let err = |e| parquet_error(path, "writing a row group", e);
        let mut group = self.parquet.next_row_group().map_err(err)?;
        for (buffer, column) in self.buffers.iter().zip(&self.columns) {
            let optional = column.ty.is_optional();
            let mut writer = group.next_column().map_err(err)?.ok_or_else(|| {
                io::Error::other(format!("{}: missing column writer", path.display()))
            })?;
            match buffer {
                ColumnBuffer::Str { values, defs: d } => writer
                    .typed::<ByteArrayType>()
                    .write_batch(values, levels(optional, d), None),
                ColumnBuffer::U64(values) => {
                    writer.typed::<Int64Type>().write_batch(values, None, None)
                }
                ColumnBuffer::F64 { values, defs: d } => {
                    writer
                        .typed::<DoubleType>()
                        .write_batch(values, levels(optional, d), None)
                }
                ColumnBuffer::Bool { values, defs: d } => {
                    writer
                        .typed::<BoolType>()
                        .write_batch(values, levels(optional, d), None)
                }
            }
            .map_err(err)?;
            writer.close().map_err(err)?;
        }
        group.close().map_err(err)?;
        for buffer in &mut self.buffers {
            buffer.clear();
        }
        self.buffered = 0;
        self.csv
            .flush()
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", self.csv_path.display())))
    }

    /// Flushes everything and closes both files (the Parquet footer is written
    /// here). Returns the row count.
    pub fn finish(mut self) -> io::Result<u64> {
        self.flush_row_group()?;
        let csv_path = self.csv_path;
        self.csv
            .into_inner()
            .map_err(|e| {
                let e = e.into_error();
                io::Error::new(e.kind(), format!("{}: {e}", csv_path.display()))
            })?
            .finish()?;
        let parquet_path = self.parquet_path;
        let buffered = self
            .parquet
            .into_inner()
            .map_err(|e| parquet_error(&parquet_path, "writing the footer", e))?;
        buffered.into_inner().map_err(|e| {
            let e = e.into_error();
            io::Error::new(e.kind(), format!("{}: {e}", parquet_path.display()))
        })?;
        Ok(self.rows)
    }
}

/// What a checkpoint records of a table: its rows and the mark of its CSV file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TableMark {
    /// Rows (without the header).
    pub rows: u64,
    /// The CSV file's length and hash.
    pub file: FileMark,
}

fn csv_writer(file: JournalFile) -> csv::Writer<JournalFile> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(file)
}

/// The [`ColumnType`] of a Parquet leaf column written by [`TableWriter`].
fn column_type(descr: &ColumnDescriptor) -> Option<ColumnType> {
    if descr.max_rep_level() != 0 || descr.path().parts().len() != 1 {
        return None;
    }
    let optional = descr.max_def_level() > 0;
    let pick = |required, opt| Some(if optional { opt } else { required });
    match descr.physical_type() {
        PhysicalType::BYTE_ARRAY
            if matches!(descr.logical_type_ref(), Some(LogicalType::String))
                || descr.converted_type() == ConvertedType::UTF8 =>
        {
            pick(ColumnType::Str, ColumnType::OptStr)
        }
        PhysicalType::INT64
            if !optional
                && (matches!(
                    descr.logical_type_ref(),
                    Some(LogicalType::Integer(t)) if t.bit_width == 64 && !t.is_signed
                ) || descr.converted_type() == ConvertedType::UINT_64) =>
        {
            Some(ColumnType::U64)
        }
        PhysicalType::DOUBLE => pick(ColumnType::F64, ColumnType::OptF64),
        PhysicalType::BOOLEAN => pick(ColumnType::Bool, ColumnType::OptBool),
        _ => None,
    }
}

/// A typed reader of one column chunk, with its reusable buffers.
enum TypedReader {
    Str(ColumnReaderImpl<ByteArrayType>, Vec<ByteArray>),
    U64(ColumnReaderImpl<Int64Type>, Vec<i64>),
    F64(ColumnReaderImpl<DoubleType>, Vec<f64>),
    Bool(ColumnReaderImpl<BoolType>, Vec<bool>),
}

/// Reads up to `max` records of one column into `out` (cleared first) as
/// values; returns how many.
fn read_values<T: DataType>(
    reader: &mut ColumnReaderImpl<T>,
    optional: bool,
    max: usize,
    defs: &mut Vec<i16>,
    values: &mut Vec<T::T>,
    out: &mut Vec<Value>,
    convert: impl Fn(T::T) -> parquet::errors::Result<Value>,
) -> parquet::errors::Result<usize> {
    defs.clear();
    values.clear();
    out.clear();
    let (records, _, _) = reader.read_records(max, Some(defs), None, values)?;
    let mut values = values.drain(..);
    if optional {
        if defs.len() != records {
            return Err(ParquetError::General(format!(
                "{records} records but {} definition levels",
                defs.len()
            )));
        }
        for &d in defs.iter() {
            out.push(if d > 0 {
                let v = values
                    .next()
                    .ok_or_else(|| ParquetError::General("too few values".into()))?;
                convert(v)?
            } else {
                Value::Null
            });
        }
    } else {
        for v in values.by_ref().take(records) {
            out.push(convert(v)?);
        }
        if out.len() != records {
            return Err(ParquetError::General("too few values".into()));
        }
    }
    if values.next().is_some() {
        return Err(ParquetError::General("too many values".into()));
    }
    Ok(records)
}

/// Reads a Parquet file written by [`TableWriter`] back as rows (for tests,
/// merging and resuming): calls `f` for every row in order, with values typed
/// per the column types, and returns the columns.
///
/// Errors (`InvalidData`) on a schema that [`TableWriter`] does not write.
pub fn read_parquet(path: &Path, mut f: impl FnMut(&[Value])) -> io::Result<Vec<Column>> {
    let file = File::open(path)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot open {}: {e}", path.display())))?;
    let reader = SerializedFileReader::new(file)
        .map_err(|e| parquet_error(path, "reading the footer", e))?;
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    if schema.root_schema().get_fields().len() != schema.num_columns() {
        return Err(invalid_data(format!(
            "{}: not a flat schema",
            path.display()
        )));
    }
    let mut columns = Vec::with_capacity(schema.num_columns());
    for descr in schema.columns() {
        let ty = column_type(descr).ok_or_else(|| {
            invalid_data(format!(
                "{}: column `{}` has a type that a table does not use ({} {:?})",
                path.display(),
                descr.name(),
                descr.physical_type(),
                descr.logical_type_ref()
            ))
        })?;
        columns.push(Column::new(descr.name(), ty));
    }

    let n = columns.len();
    let mut defs = vec![Vec::new(); n];
    let mut outs: Vec<Vec<Value>> = vec![Vec::new(); n];
    let mut row: Vec<Value> = Vec::with_capacity(n);
    for g in 0..reader.num_row_groups() {
        let err = |e| parquet_error(path, &format!("reading row group {g}"), e);
        let group = reader.get_row_group(g).map_err(err)?;
        let expected = group.metadata().num_rows();
        let mut readers = Vec::with_capacity(n);
        for (i, column) in columns.iter().enumerate() {
            let typed = match (group.get_column_reader(i).map_err(err)?, column.ty) {
                (ColumnReader::ByteArrayColumnReader(r), ColumnType::Str | ColumnType::OptStr) => {
                    TypedReader::Str(r, Vec::new())
                }
                (ColumnReader::Int64ColumnReader(r), ColumnType::U64) => {
                    TypedReader::U64(r, Vec::new())
                }
                (ColumnReader::DoubleColumnReader(r), ColumnType::F64 | ColumnType::OptF64) => {
                    TypedReader::F64(r, Vec::new())
                }
                (ColumnReader::BoolColumnReader(r), ColumnType::Bool | ColumnType::OptBool) => {
                    TypedReader::Bool(r, Vec::new())
                }
                _ => {
                    return Err(invalid_data(format!(
                        "{}: column `{}` has an unexpected physical type",
                        path.display(),
                        column.name
                    )));
                }
            };
            readers.push(typed);
        }

        let mut total: i64 = 0;
        loop {
            let mut count = None;
            for (i, reader) in readers.iter_mut().enumerate() {
                let optional = columns[i].ty.is_optional();
                let (d, out) = (&mut defs[i], &mut outs[i]);
                let read = match reader {
                    TypedReader::Str(r, buf) => {
                        read_values(r, optional, READ_BATCH, d, buf, out, |v| {
                            Ok(Value::Str(v.as_utf8()?.to_owned()))
                        })
                    }
                    TypedReader::U64(r, buf) => {
                        read_values(r, optional, READ_BATCH, d, buf, out, |v| {
                            Ok(Value::U64(v as u64))
                        })
                    }
                    TypedReader::F64(r, buf) => {
                        read_values(r, optional, READ_BATCH, d, buf, out, |v| Ok(Value::F64(v)))
                    }
                    TypedReader::Bool(r, buf) => {
                        read_values(r, optional, READ_BATCH, d, buf, out, |v| Ok(Value::Bool(v)))
                    }
                }
                .map_err(|e| {
                    parquet_error(path, &format!("reading column `{}`", columns[i].name), e)
                })?;
                match count {
                    None => count = Some(read),
                    Some(c) if c == read => {}
                    Some(c) => {
                        return Err(invalid_data(format!(
                            "{}: row group {g}: columns disagree on the row count ({c} vs {read})",
                            path.display()
                        )));
                    }
                }
            }
            let count = count.unwrap_or(0);
            if count == 0 {
                break;
            }
            let mut iters: Vec<_> = outs.iter_mut().map(|o| o.drain(..)).collect();
            for _ in 0..count {
                row.clear();
                row.extend(iters.iter_mut().map(|it| it.next().unwrap_or(Value::Null)));
                f(&row);
            }
            total += count as i64;
        }
        if total != expected {
            return Err(invalid_data(format!(
                "{}: row group {g} holds {total} rows, its metadata says {expected}",
                path.display()
            )));
        }
    }
    Ok(columns)
}

/// Parses one CSV field as a value of type `ty`.
fn parse_field(field: &str, ty: ColumnType) -> Option<Value> {
    if field.is_empty() && ty.is_optional() {
        return Some(Value::Null);
    }
    match ty {
        ColumnType::Str | ColumnType::OptStr => Some(Value::Str(field.to_owned())),
        ColumnType::U64 => field.parse().ok().map(Value::U64),
        ColumnType::F64 | ColumnType::OptF64 => field.parse().ok().map(Value::F64),
        ColumnType::Bool | ColumnType::OptBool => match field {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
    }
}

/// Same as [`read_parquet`] for the CSV file (types from the given columns;
/// empty field = Null in Opt columns).
///
/// Errors (`InvalidData`) when the header does not name `columns` in order, a
/// record has the wrong number of fields, or a field does not parse.
pub fn read_csv(path: &Path, columns: &[Column], mut f: impl FnMut(&[Value])) -> io::Result<()> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .map_err(|e| csv_error(path, e))?;
    let header = reader.headers().map_err(|e| csv_error(path, e))?;
    if header.len() != columns.len() || header.iter().zip(columns).any(|(h, c)| h != c.name) {
        return Err(invalid_data(format!(
            "{}: header {:?} does not match the columns {:?}",
            path.display(),
            header.iter().collect::<Vec<_>>(),
            columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>()
        )));
    }
    let mut record = csv::StringRecord::new();
    let mut row = Vec::with_capacity(columns.len());
    while reader
        .read_record(&mut record)
        .map_err(|e| csv_error(path, e))?
    {
        let line = record.position().map_or(0, |p| p.line());
        row.clear();
        for (field, column) in record.iter().zip(columns) {
            let value = parse_field(field, column.ty).ok_or_else(|| {
                invalid_data(format!(
                    "{} line {line}: column `{}` ({:?}): cannot read {field:?}",
                    path.display(),
                    column.name,
                    column.ty
                ))
            })?;
            row.push(value);
        }
        f(&row);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(tag: &str) -> Self {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let dir = std::env::temp_dir()
                .join(format!("detente-table-{tag}-{}-{n}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn all_columns() -> Vec<Column> {
        vec![
            Column::new("s", ColumnType::Str),
            Column::new("os", ColumnType::OptStr),
            Column::new("n", ColumnType::U64),
            Column::new("x", ColumnType::F64),
            Column::new("ox", ColumnType::OptF64),
            Column::new("b", ColumnType::Bool),
            Column::new("ob", ColumnType::OptBool),
        ]
    }

    fn sample_rows() -> Vec<Vec<Value>> {
        use Value::*;
        vec![
            vec![
                Str("alpha".into()),
                Str("x".into()),
                U64(0),
                F64(0.1),
                F64(-2.5),
                Bool(true),
                Bool(false),
            ],
            vec![
                Str(String::new()),
                Null,
                U64(u64::MAX),
                F64(1e300),
                Null,
                Bool(false),
                Null,
            ],
            vec![
                Str("comma, \"quote\"\nnew line\r\nand ünïcødé".into()),
                Str("a,b".into()),
                U64(1 << 63),
                F64(f64::NAN),
                F64(f64::INFINITY),
                Bool(true),
                Bool(true),
            ],
            vec![
                Str(" padded ".into()),
                Null,
                U64(42),
                F64(-0.0),
                F64(f64::NEG_INFINITY),
                Bool(false),
                Null,
            ],
            vec![
                Str("tiny".into()),
                Str("\"".into()),
                U64(7),
                F64(5e-324),
                F64(1.0 / 3.0),
                Bool(true),
                Bool(false),
            ],
        ]
    }

    /// Equality that treats NaN as equal to NaN and tells -0.0 from 0.0.
    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::F64(x), Value::F64(y)) => {
                (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits()
            }
            _ => a == b,
        }
    }

    fn assert_rows(got: &[Vec<Value>], want: &[Vec<Value>]) {
        assert_eq!(got.len(), want.len(), "row count");
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert_eq!(g.len(), w.len(), "row {i} length");
            for (a, b) in g.iter().zip(w) {
                assert!(same(a, b), "row {i}: got {g:?}, want {w:?}");
            }
        }
    }

    fn write(dir: &Path, name: &str, columns: &[Column], rows: &[Vec<Value>], group: usize) {
        let mut w = TableWriter::create(dir, name, columns.to_vec())
            .unwrap()
            .with_row_group_size(group);
        for row in rows {
            w.push(row).unwrap();
        }
        assert_eq!(w.rows(), rows.len() as u64);
        assert_eq!(w.finish().unwrap(), rows.len() as u64);
    }

    fn read_both(dir: &Path, name: &str, columns: &[Column]) -> (Vec<Vec<Value>>, Vec<Vec<Value>>) {
        let mut from_parquet = Vec::new();
        let read_columns = read_parquet(&dir.join(format!("{name}.parquet")), |r| {
            from_parquet.push(r.to_vec())
        })
        .unwrap();
        assert_eq!(read_columns, columns);
        let mut from_csv = Vec::new();
        read_csv(&dir.join(format!("{name}.csv")), columns, |r| {
            from_csv.push(r.to_vec())
        })
        .unwrap();
        (from_parquet, from_csv)
    }

    #[test]
    fn every_column_type_round_trips_through_both_formats() {
        let dir = TempDir::new("types");
        let columns = all_columns();
        let rows = sample_rows();
        write(&dir.0, "t", &columns, &rows, DEFAULT_ROW_GROUP_SIZE);
        let (from_parquet, from_csv) = read_both(&dir.0, "t", &columns);
        assert_rows(&from_parquet, &rows);
        assert_rows(&from_csv, &rows);
        // The two formats hold the same rows.
        assert_rows(&from_csv, &from_parquet);
    }

    #[test]
    fn csv_text_is_as_documented() {
        let dir = TempDir::new("csvtext");
        let columns = all_columns();
        write(&dir.0, "t", &columns, &sample_rows(), 2);
        let text = std::fs::read_to_string(dir.0.join("t.csv")).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("s,os,n,x,ox,b,ob"));
        assert_eq!(lines.next(), Some("alpha,x,0,0.1,-2.5,true,false"));
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with(",,18446744073709551615,1000000000")
        );
        assert!(text.contains(",9223372036854775808,NaN,inf,true,true\n"));
        assert!(text.contains(",42,-0,-inf,false,\n"));
        assert!(text.contains("\"comma, \"\"quote\"\"\nnew line\r\nand ünïcødé\",\"a,b\""));
    }

    #[test]
    fn empty_string_in_opt_str_reads_back_as_null_from_csv_only() {
        let dir = TempDir::new("emptystr");
        let columns = vec![Column::new("os", ColumnType::OptStr)];
        let rows = vec![vec![Value::Str(String::new())], vec![Value::Null]];
        write(&dir.0, "t", &columns, &rows, 10);
        let (from_parquet, from_csv) = read_both(&dir.0, "t", &columns);
        assert_rows(&from_parquet, &rows);
        assert_rows(&from_csv, &[vec![Value::Null], vec![Value::Null]]);
    }

    #[test]
    fn many_row_groups_round_trip_in_order() {
        let dir = TempDir::new("groups");
        let columns = all_columns();
        let rows: Vec<Vec<Value>> = (0..10_000u64)
            .map(|i| {
                vec![
                    Value::Str(format!("row {i}")),
                    if i % 3 == 0 {
                        Value::Null
                    } else {
                        Value::Str(format!("{}", i * 7))
                    },
                    Value::U64(i * 1_000_003),
                    Value::F64(i as f64 / 7.0),
                    if i % 5 == 0 {
                        Value::Null
                    } else {
                        Value::F64(-(i as f64).sqrt())
                    },
                    Value::Bool(i % 2 == 0),
                    if i % 7 == 0 {
                        Value::Null
                    } else {
                        Value::Bool(i % 4 == 1)
                    },
                ]
            })
            .collect();
        write(&dir.0, "t", &columns, &rows, 777);

        let file = File::open(dir.0.join("t.parquet")).unwrap();
        let reader = SerializedFileReader::new(file).unwrap();
        assert_eq!(reader.num_row_groups(), 10_000usize.div_ceil(777));
        assert_eq!(
            reader.metadata().file_metadata().created_by(),
            Some(CREATED_BY)
        );
        let compression = reader.metadata().row_group(0).column(0).compression();
        assert_eq!(compression, Compression::SNAPPY);

        let (from_parquet, from_csv) = read_both(&dir.0, "t", &columns);
        assert_rows(&from_parquet, &rows);
        assert_rows(&from_csv, &rows);
    }

    #[test]
    fn empty_table_has_header_and_no_rows() {
        let dir = TempDir::new("empty");
        let columns = all_columns();
        write(&dir.0, "t", &columns, &[], 10);
        let (from_parquet, from_csv) = read_both(&dir.0, "t", &columns);
        assert!(from_parquet.is_empty());
        assert!(from_csv.is_empty());
        let text = std::fs::read_to_string(dir.0.join("t.csv")).unwrap();
        assert_eq!(text, "s,os,n,x,ox,b,ob\n");
    }

    #[test]
    fn same_rows_give_byte_identical_files() {
        let a = TempDir::new("det-a");
        let b = TempDir::new("det-b");
        let columns = all_columns();
        let mut rows = sample_rows();
        rows.extend((0..3000u64).map(|i| {
            vec![
                Value::Str(format!("k{}", i % 13)),
                Value::Null,
                Value::U64(i),
                Value::F64(i as f64 * 0.25),
                Value::F64(1.0),
                Value::Bool(true),
                Value::Null,
            ]
        }));
        write(&a.0, "t", &columns, &rows, 1000);
        write(&b.0, "t", &columns, &rows, 1000);
        for ext in ["csv", "parquet"] {
            let x = std::fs::read(a.0.join(format!("t.{ext}"))).unwrap();
            let y = std::fs::read(b.0.join(format!("t.{ext}"))).unwrap();
            assert!(x == y, "{ext} files differ");
        }
    }

    #[test]
    fn schema_mismatches_are_errors() {
        let dir = TempDir::new("mismatch");
        let columns = vec![
            Column::new("s", ColumnType::Str),
            Column::new("n", ColumnType::U64),
            Column::new("ob", ColumnType::OptBool),
        ];
        let mut w = TableWriter::create(&dir.0, "t", columns.clone()).unwrap();
        let bad: [&[Value]; 6] = [
            &[Value::Str("a".into()), Value::U64(1)],
            &[
                Value::Str("a".into()),
                Value::U64(1),
                Value::Null,
                Value::Null,
            ],
            &[Value::Null, Value::U64(1), Value::Null],
            &[Value::Str("a".into()), Value::F64(1.0), Value::Null],
            &[Value::Str("a".into()), Value::Null, Value::Null],
            &[
                Value::Str("a".into()),
                Value::U64(1),
                Value::Str("true".into()),
            ],
        ];
        for row in bad {
            let e = w.push(row).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{e}");
        }
        assert_eq!(w.rows(), 0);
        w.push(&[Value::Str("ok".into()), Value::U64(1), Value::Bool(true)])
            .unwrap();
        assert_eq!(w.finish().unwrap(), 1);
        // Rejected rows left no trace.
        let (from_parquet, from_csv) = read_both(&dir.0, "t", &columns);
        let want = vec![vec![
            Value::Str("ok".into()),
            Value::U64(1),
            Value::Bool(true),
        ]];
        assert_rows(&from_parquet, &want);
        assert_rows(&from_csv, &want);

        // Bad column lists.
        for cols in [
            vec![],
            vec![Column::new("", ColumnType::U64)],
            vec![
                Column::new("a", ColumnType::U64),
                Column::new("a", ColumnType::Str),
            ],
        ] {
            let e = TableWriter::create(&dir.0, "bad", cols).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{e}");
        }

        // Reading the CSV with other columns.
        let other = vec![
            Column::new("s", ColumnType::Str),
            Column::new("n", ColumnType::Bool),
            Column::new("ob", ColumnType::OptBool),
        ];
        let e = read_csv(&dir.0.join("t.csv"), &other, |_| {}).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData, "{e}");
        let renamed = vec![
            Column::new("s", ColumnType::Str),
            Column::new("m", ColumnType::U64),
            Column::new("ob", ColumnType::OptBool),
        ];
        let e = read_csv(&dir.0.join("t.csv"), &renamed, |_| {}).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData, "{e}");
        let e = read_csv(&dir.0.join("t.csv"), &columns[..2], |_| {}).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData, "{e}");

        // A file that is not Parquet.
        let e = read_parquet(&dir.0.join("t.csv"), |_| {}).unwrap_err();
        assert!(e.to_string().contains("t.csv"), "{e}");
    }

    #[test]
    fn unfinished_parquet_is_an_error_not_a_panic() {
        let dir = TempDir::new("unfinished");
        let mut w = TableWriter::create(&dir.0, "t", all_columns()).unwrap();
        w.push(&sample_rows()[0]).unwrap();
        drop(w);
        assert!(read_parquet(&dir.0.join("t.parquet"), |_| {}).is_err());
    }

    #[test]
    fn values_convert_from_rust_types() {
        assert_eq!(Value::from("a"), Value::Str("a".into()));
        assert_eq!(Value::from(3u64), Value::U64(3));
        assert_eq!(Value::from(Some(1.5)), Value::F64(1.5));
        assert_eq!(Value::from(None::<bool>), Value::Null);
        assert!(ColumnType::OptBool.accepts(&Value::Null));
        assert!(!ColumnType::Bool.accepts(&Value::Null));
    }
}
