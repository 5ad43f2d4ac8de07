// SPDX-License-Identifier: BSL-1.0
// A ZIP archive written and read entirely in memory: minizip over a bytes_buf.
//
// Python users write `zipfile.ZipFile(io.BytesIO(), "w")` to build a
// download; DOCX, XLSX and ODT files are ZIP containers too. A ZIP writer
// needs a *seekable* file (it goes back to patch each local header with the
// CRC and sizes) and a reader starts from the central directory at the end.
// bytes_buf's one seekable position is exactly that, so minizip runs on it
// through `bytesio::minizip_io(buf)`, its `zlib_filefunc64_def` I/O table
// (bytesio/minizip.hpp): no adapter to write.
//
// The program writes an archive (a text report, a binary blob, entries under
// nested folders), reads every entry back from the same buffer with
// `unzOpen2_64` and compares it byte for byte, then has Info-ZIP's `unzip`
// check the archive (`unzip -t`, names and sizes from `unzip -l`); the bytes
// go to a temporary file only for that check. A minimal .docx is produced the
// same way and checked too.

#include <bytesio/bytes_buf.hpp>
#include <bytesio/minizip.hpp>

#include <minizip/unzip.h>
#include <minizip/zip.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

// ---- the program ----------------------------------------------------------

[[noreturn]] void fail(const std::string &what) { throw std::runtime_error(what); }

struct entry {
  std::string name;
  std::string data;
  int method; // 0: stored, Z_DEFLATED
};

/** Writes `entries` as a ZIP archive into `buf` (its old contents are replaced). */
void write_zip(bytesio::bytes_buf &buf, const std::vector<entry> &entries) {
  zlib_filefunc64_def io = bytesio::minizip_io(buf);
  zipFile zip = zipOpen2_64("memory.zip", APPEND_STATUS_CREATE, nullptr, &io);
  if (zip == nullptr)
    fail("zipOpen2_64 failed: " + bytesio::minizip_error_message());
  for (const entry &e : entries) {
    zip_fileinfo info{};
    info.tmz_date = {0, 30, 12, 15, 4, 2024}; // 2024-05-15 12:30:00 (month is 0-based)
    if (zipOpenNewFileInZip64(zip, e.name.c_str(), &info, nullptr, 0, nullptr, 0, nullptr, e.method,
                              e.method == 0 ? 0 : 6, 0) != ZIP_OK ||
        zipWriteInFileInZip(zip, e.data.data(), static_cast<unsigned>(e.data.size())) != ZIP_OK ||
        zipCloseFileInZip(zip) != ZIP_OK) {
      zipClose(zip, nullptr);
      fail("writing " + e.name + " failed: " + bytesio::minizip_error_message());
    }
  }
  if (zipClose(zip, "written by bytesio's zip_in_memory example") != ZIP_OK)
    fail("zipClose failed");
}

/** Reads every entry of the archive in `buf`: name -> contents. */
std::map<std::string, std::string> read_zip(bytesio::bytes_buf &buf) {
  zlib_filefunc64_def io = bytesio::minizip_io(buf);
  unzFile zip = unzOpen2_64("memory.zip", &io);
  if (zip == nullptr)
    fail("unzOpen2_64 failed: not a ZIP archive?");
  std::map<std::string, std::string> out;
  for (int rc = unzGoToFirstFile(zip); rc == UNZ_OK; rc = unzGoToNextFile(zip)) {
    unz_file_info64 info{};
    char name[512];
    if (unzGetCurrentFileInfo64(zip, &info, name, sizeof name, nullptr, 0, nullptr, 0) != UNZ_OK ||
        unzOpenCurrentFile(zip) != UNZ_OK)
      fail("cannot open an entry");
    std::string data(static_cast<std::size_t>(info.uncompressed_size), '\0');
    const int got = unzReadCurrentFile(zip, data.data(), static_cast<unsigned>(data.size()));
    // unzCloseCurrentFile checks the CRC once the whole entry is read.
    if (got != static_cast<int>(data.size()) || unzCloseCurrentFile(zip) != UNZ_OK)
      fail(std::string("reading ") + name + " failed (short read or bad CRC)");
    out.emplace(name, std::move(data));
  }
  unzClose(zip);
  return out;
}

/** Runs `command`, returns its exit status and standard output. */
std::pair<int, std::string> run(const std::string &command) {
  FILE *p = ::popen(command.c_str(), "r");
  if (p == nullptr)
    fail("cannot run " + command);
  std::string out;
  char chunk[4096];
  for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, p)) > 0;)
    out.append(chunk, n);
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

/** The archive's bytes in a temporary file, for the external tool only. */
class temp_copy {
public:
  temp_copy(std::span<const std::byte> bytes, const char *suffix) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "bytesio-zip-XXXXXX").string() + suffix;
    const int fd = ::mkstemps(pattern.data(), static_cast<int>(std::string_view(suffix).size()));
    if (fd < 0)
      fail("mkstemps failed");
    path_ = pattern;
    const bool ok = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
    ::close(fd);
    if (!ok)
      fail("writing the temporary copy failed");
  }
  temp_copy(const temp_copy &) = delete;
  temp_copy &operator=(const temp_copy &) = delete;
  ~temp_copy() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  std::string path() const { return path_.string(); }

private:
  std::filesystem::path path_;
};

/** `unzip -t` must find no error; `unzip -l` must list exactly `entries`. */
void check_with_unzip(const bytesio::bytes_buf &buf, const std::vector<entry> &entries,
                      const char *suffix) {
  const temp_copy copy(buf.view(), suffix);
  const auto [test_rc, test_out] = run("unzip -t '" + copy.path() + "' 2>&1");
  if (test_rc != 0 || test_out.find("No errors detected") == std::string::npos)
    fail("unzip -t reported (exit " + std::to_string(test_rc) + "):\n" + test_out);

  // unzip -l: "  Length      Date    Time    Name", a rule, one row per entry
  // ("     1234  2024-05-15 12:30   name"), a rule, a total.
  const auto [list_rc, list_out] = run("unzip -l '" + copy.path() + "' 2>&1");
  if (list_rc != 0)
    fail("unzip -l failed:\n" + list_out);
  std::map<std::string, unsigned long long> listed;
  std::size_t rules = 0;
  for (std::size_t at = 0; at < list_out.size();) {
    std::size_t eol = list_out.find('\n', at);
    if (eol == std::string::npos)
      eol = list_out.size();
    const std::string line = list_out.substr(at, eol - at);
    at = eol + 1;
    if (line.starts_with("---------")) {
      ++rules;
      continue;
    }
    unsigned long long size = 0;
    char date[16], time[8];
    int name_at = 0;
    if (rules == 1 &&
        std::sscanf(line.c_str(), "%llu %15s %7s %n", &size, date, time, &name_at) == 3)
      listed.emplace(line.substr(static_cast<std::size_t>(name_at)), size);
  }
  std::map<std::string, unsigned long long> expected;
  for (const entry &e : entries)
    expected.emplace(e.name, e.data.size());
  if (listed != expected)
    fail("unzip -l lists other names or sizes:\n" + list_out);
}

std::string make_blob(std::size_t n) {
  std::string blob(n, '\0');
  std::uint64_t x = 0x9E3779B97F4A7C15u; // xorshift64: incompressible, reproducible
  for (char &c : blob) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x >> 56);
  }
  return blob;
}

std::string make_report() {
  std::string text = "Quarterly report\n================\n";
  for (int i = 1; i <= 500; ++i)
    text += "line " + std::to_string(i) + ": all systems nominal\n";
  return text;
}

/** The parts Word needs for a one-paragraph document. */
std::vector<entry> make_docx(const std::string &paragraph) {
  return {
      {"[Content_Types].xml",
       R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
       "\n"
       R"(<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">)"
       R"(<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>)"
       R"(<Default Extension="xml" ContentType="application/xml"/>)"
       R"(<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>)"
       R"(</Types>)",
       Z_DEFLATED},
      {"_rels/.rels",
       R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
       "\n"
       R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
       R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>)"
       R"(</Relationships>)",
       Z_DEFLATED},
      {"word/document.xml",
       R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
       "\n"
       R"(<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">)"
       R"(<w:body><w:p><w:r><w:t>)" +
           paragraph + R"(</w:t></w:r></w:p></w:body></w:document>)",
       Z_DEFLATED},
  };
}

void check_round_trip(bytesio::bytes_buf &buf, const std::vector<entry> &entries) {
  const std::map<std::string, std::string> back = read_zip(buf);
  if (back.size() != entries.size())
    fail("read back " + std::to_string(back.size()) + " entries, wrote " +
         std::to_string(entries.size()));
  for (const entry &e : entries) {
    const auto it = back.find(e.name);
    if (it == back.end() || it->second != e.data)
      fail("entry " + e.name + " differs after the round trip");
  }
}

} // namespace

int main() try {
  // 1. An archive with text, binary, stored and deflated entries and folders.
  const std::vector<entry> entries = {
      {"report.txt", make_report(), Z_DEFLATED},
      {"data/blob.bin", make_blob(300'000), Z_DEFLATED},
      {"data/raw/stored.bin", make_blob(4096), 0},
      {"data/nested/deeper/readme.md", "# Nested\n\nThree folders down.\n", Z_DEFLATED},
      {"empty.txt", "", Z_DEFLATED},
  };
  bytesio::bytes_buf archive;
  write_zip(archive, entries);
  check_round_trip(archive, entries);
  check_with_unzip(archive, entries, ".zip");
  std::printf("zip: %zu entries in %zu bytes, read back byte for byte; unzip -t: no errors\n",
              entries.size(), archive.size());

  // 2. A .docx, the same way: generated in memory, ready to send.
  const std::vector<entry> docx = make_docx("Hello from bytesio, generated in memory.");
  bytesio::bytes_buf document;
  write_zip(document, docx);
  check_round_trip(document, docx);
  check_with_unzip(document, docx, ".docx");
  std::printf("docx: %zu parts in %zu bytes; unzip -t: no errors\n", docx.size(), document.size());

  // 3. The same buffer reused for a new archive: CREATE clears it.
  write_zip(archive, docx);
  check_round_trip(archive, docx);
  return 0;
} catch (const std::exception &e) {
  std::cerr << "zip_in_memory: " << e.what() << '\n';
  return 1;
}

// What minizip_io maps (bytesio/minizip.hpp has the details):
// - open: minizip asks to open a *name*; the buffer is the file, so the name
//   is ignored. ZLIB_FILEFUNC_MODE_CREATE (a new archive) cuts the buffer to
//   0, as fopen("wb") would; reading keeps it.
// - seek: origins SEEK_SET/CUR/END; the unsigned ZPOS64_T offset is taken as
//   signed, and a seek before the start fails as fseek's does.
// - errors: bytesio throws std::ios_base::failure; minizip wants counts and
//   a polled error code, so every callback catches, returns a short count or
//   -1, sets errno, keeps the error for minizip's testerror callback and the
//   text for bytesio::minizip_error_message(). The writer's patching of
//   local headers is a seek back and an overwrite, which bytes_buf's one
//   position does natively.
