// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_TEST_SUPPORT_BUFFER_PROBE_HPP
#define BYTESIO_TEST_SUPPORT_BUFFER_PROBE_HPP

// "Fast by default" (issue 18): every bytesio filter declares the buffer it
// wants (optimally_buffered_tag), and a chain that is given no size must
// really use it. One check for every filter: a probe derived from the
// filter records the size of each read/write call the chain makes, which
// is the chain's buffer for that filter.

#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/device/array.hpp>
#include <boost/iostreams/device/back_inserter.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <boost/iostreams/optimal_buffer_size.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <ios>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace bytesio::test {

/** `Filter` with the sizes of the chain's calls recorded (copies share the record). */
template <class Filter>
class buffer_probe : public Filter {
public:
  using Filter::Filter;
  /** A probe around a copy of `f` (the copies of a bytesio filter share its state). */
  explicit buffer_probe(const Filter &f) : Filter(f) {}

  template <class Sink>
  std::streamsize write(Sink &snk, const char *s, std::streamsize n) {
    calls_->push_back(n);
    return Filter::write(snk, s, n);
  }

  template <class Source>
  std::streamsize read(Source &src, char *s, std::streamsize n) {
    calls_->push_back(n);
    return Filter::read(src, s, n);
  }

  /** The largest call so far. */
  std::streamsize largest() const {
    return calls_->empty() ? 0 : *std::max_element(calls_->begin(), calls_->end());
  }

private:
  std::shared_ptr<std::vector<std::streamsize>> calls_ =
      std::make_shared<std::vector<std::streamsize>>();
};

/**
 * Checks that `filter` declares `want` bytes and that a plain `push` in a
 * filtering_ostream and (for an input filter) in a filtering_istream hands
 * it calls of that size when `input` (what it converts: plain data for an
 * encoder, a valid stream for a decoder, several times `want` long) goes
 * through in one piece.
 */
template <class Filter>
void check_declared_buffer(const Filter &filter, const std::string &input, std::streamsize want) {
  namespace io = boost::iostreams;
  BOOST_TEST(io::optimal_buffer_size(filter) == want);
  BOOST_TEST_REQUIRE(input.size() > 2 * static_cast<std::size_t>(want));
  {
    buffer_probe<Filter> f(filter);
    std::string out;
    io::filtering_ostream os;
    os.push(f);
    os.push(io::back_inserter(out));
    os.write(input.data(), static_cast<std::streamsize>(input.size()));
    os.reset();
    BOOST_TEST(f.largest() == want, "output chain");
  }
  if constexpr (std::is_convertible_v<typename io::category_of<Filter>::type, io::input>) {
    buffer_probe<Filter> f(filter);
    std::string out;
    io::filtering_istream is;
    is.push(f);
    is.push(io::array_source(input.data(), input.size()));
    io::copy(is, io::back_inserter(out));
    BOOST_TEST(f.largest() == want, "input chain");
  }
}

} // namespace bytesio::test

#endif // BYTESIO_TEST_SUPPORT_BUFFER_PROBE_HPP
