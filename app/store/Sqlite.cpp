#include "store/Sqlite.h"

#include "store/CjkTokenizer.h"

#include <sqlite3.h>

#include <utility>

namespace hearth::sql {
namespace {

ErrorCode codeFor(int rc)
{
  switch (rc & 0xff) {
  case SQLITE_CORRUPT:
  case SQLITE_NOTADB:
    return ErrorCode::Format;
  case SQLITE_NOMEM:
    return ErrorCode::OutOfMemory;
  case SQLITE_MISUSE:
  case SQLITE_RANGE:
    return ErrorCode::Internal;
  default:
    return ErrorCode::Io;
  }
}

std::string shortSql(std::string_view sql)
{
  std::string s(sql.substr(0, 60));
  for (char &c : s)
    if (c == '\n')
      c = ' ';
  return sql.size() > 60 ? s + "..." : s;
}

} // namespace

Result<Database> Database::open(const QString &path, Mode mode)
{
  Database db;
  db.m_path = path;
  const int flags = mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY
                                           : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  const QByteArray p = path.toUtf8();
  const int rc = sqlite3_open_v2(p.constData(), &db.m_db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e{codeFor(rc), fmt::format("[store] open '{}': {}", p.constData(),
                                     db.m_db ? sqlite3_errmsg(db.m_db) : sqlite3_errstr(rc))};
    return std::unexpected(e);
  }
  sqlite3_extended_result_codes(db.m_db, 1);
  store::registerCjkTokenizer(db.m_db); // without FTS5, creating the schema says so
  return db;
}

Database::Database(Database &&other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)), m_path(std::move(other.m_path))
{
}

Database &Database::operator=(Database &&other) noexcept
{
  if (this != &other) {
    close();
    m_db = std::exchange(other.m_db, nullptr);
    m_path = std::move(other.m_path);
  }
  return *this;
}

Database::~Database() { close(); }

void Database::close()
{
  if (m_db)
    sqlite3_close_v2(m_db);
  m_db = nullptr;
}

Error Database::error(std::string_view what) const
{
  const int rc = m_db ? sqlite3_extended_errcode(m_db) : SQLITE_MISUSE;
  return Error{codeFor(rc), fmt::format("[store] {}: {} ({})", what,
                                        m_db ? sqlite3_errmsg(m_db) : "not open", rc)};
}

Status Database::exec(std::string_view sql)
{
  const std::string s(sql);
  char *msg = nullptr;
  const int rc = sqlite3_exec(m_db, s.c_str(), nullptr, nullptr, &msg);
  if (rc == SQLITE_OK)
    return {};
  Error e{codeFor(rc), fmt::format("[store] '{}': {} ({})", shortSql(sql),
                                   msg ? msg : sqlite3_errstr(rc), rc)};
  sqlite3_free(msg);
  return std::unexpected(e);
}

Result<qint64> Database::scalarInt(std::string_view sql)
{
  Statement st(*this, sql);
  auto row = st.step();
  if (!row)
    return std::unexpected(row.error());
  if (!*row)
    return fail(ErrorCode::Internal, "[store] '{}' returned no row", shortSql(sql));
  return st.integer(0);
}

Result<QString> Database::scalarText(std::string_view sql)
{
  Statement st(*this, sql);
  auto row = st.step();
  if (!row)
    return std::unexpected(row.error());
  if (!*row)
    return fail(ErrorCode::Internal, "[store] '{}' returned no row", shortSql(sql));
  return st.text(0);
}

qint64 Database::lastInsertId() const { return sqlite3_last_insert_rowid(m_db); }
int Database::changes() const { return sqlite3_changes(m_db); }

Statement::Statement(Database &db, std::string_view sql) : m_db(db), m_sql(sql)
{
  if (!db.handle()) {
    m_prepareError = Error{ErrorCode::Internal, "[store] database not open"};
    return;
  }
  const int rc = sqlite3_prepare_v2(db.handle(), sql.data(), int(sql.size()), &m_stmt, nullptr);
  if (rc != SQLITE_OK)
    m_prepareError = db.error("prepare '" + shortSql(sql) + "'");
}

Statement::~Statement() { sqlite3_finalize(m_stmt); }

Statement &Statement::bind(int index, qint64 value)
{
  if (readyToBind())
    sqlite3_bind_int64(m_stmt, index, value);
  return *this;
}

Statement &Statement::bind(int index, double value)
{
  if (readyToBind())
    sqlite3_bind_double(m_stmt, index, value);
  return *this;
}

Statement &Statement::bind(int index, const QString &value)
{
  const QByteArray u = value.toUtf8();
  if (readyToBind())
    sqlite3_bind_text(m_stmt, index, u.constData(), int(u.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement &Statement::bind(int index, std::string_view value)
{
  if (readyToBind())
    sqlite3_bind_text(m_stmt, index, value.data(), int(value.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement &Statement::bindNull(int index)
{
  if (readyToBind())
    sqlite3_bind_null(m_stmt, index);
  return *this;
}

Statement &Statement::bindFrom(int index, const Statement &other, int col)
{
  if (readyToBind() && other.m_stmt)
    sqlite3_bind_value(m_stmt, index, sqlite3_column_value(other.m_stmt, col));
  return *this;
}

bool Statement::readyToBind()
{
  if (m_stmt && m_stepped)
    reset();
  return m_stmt != nullptr;
}

Result<bool> Statement::step()
{
  if (m_prepareError)
    return std::unexpected(*m_prepareError);
  if (m_done)
    return false;
  m_stepped = true;
  const int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW)
    return true;
  if (rc == SQLITE_DONE) {
    m_done = true;
    return false;
  }
  m_done = true;
  return std::unexpected(m_db.error("'" + shortSql(m_sql) + "'"));
}

Status Statement::run()
{
  reset();
  for (;;) {
    auto row = step();
    if (!row)
      return std::unexpected(row.error());
    if (!*row)
      return {};
  }
}

void Statement::reset()
{
  if (m_stmt)
    sqlite3_reset(m_stmt);
  m_done = false;
  m_stepped = false;
}

bool Statement::isNull(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }
qint64 Statement::integer(int col) const { return sqlite3_column_int64(m_stmt, col); }
double Statement::real(int col) const { return sqlite3_column_double(m_stmt, col); }

QString Statement::text(int col) const
{
  const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, col));
  return p ? QString::fromUtf8(p, sqlite3_column_bytes(m_stmt, col)) : QString();
}

QByteArray Statement::bytes(int col) const
{
  const auto *p = static_cast<const char *>(sqlite3_column_blob(m_stmt, col));
  return p ? QByteArray(p, sqlite3_column_bytes(m_stmt, col)) : QByteArray();
}

Transaction::Transaction(Database &db) : m_db(db)
{
  m_begun = db.exec("BEGIN IMMEDIATE");
  m_open = m_begun.has_value();
}

Transaction::~Transaction()
{
  if (m_open)
    (void)m_db.exec("ROLLBACK");
}

Status Transaction::commit()
{
  if (!m_open)
    return m_begun ? fail(ErrorCode::Internal, "[store] commit twice") : m_begun;
  auto s = m_db.exec("COMMIT");
  if (s)
    m_open = false; // on failure the destructor rolls back
  return s;
}

} // namespace hearth::sql
