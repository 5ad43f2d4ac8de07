// SPDX-License-Identifier: BSL-1.0
// Boost.Serialization into memory.
//
// Boost's archives take a `std::ostream&` / `std::istream&`. A `bytes_stream`
// is one, so a snapshot of an object graph goes to memory (to be sent over a
// socket, stored in a database blob, hashed, cached) and comes back from the
// same stream: one position, so a seek to 0 is all it takes to read what was
// just written.

#include <bytesio/bytes_stream.hpp>

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace {

struct sample {
  std::string sensor;
  std::vector<double> readings;
  std::map<std::string, std::int64_t> counters;

  template <class Archive>
  void serialize(Archive &ar, unsigned /*version*/) {
    ar &sensor &readings &counters;
  }

  friend bool operator==(const sample &, const sample &) = default;
};

sample make_sample() {
  sample s;
  s.sensor = "turbine-7/bearing-2";
  for (int i = 0; i < 10000; ++i)
    s.readings.push_back(20.0 + 0.001 * i);
  s.counters = {{"restarts", 3}, {"alarms", 41}, {"uptime_s", 86400LL * 400}};
  return s;
}

} // namespace

int main() {
  const sample original = make_sample();

  bytesio::bytes_stream stream;
  {
    boost::archive::binary_oarchive out(stream);
    out << original;
  }
  if (!stream) {
    std::cerr << "serializing failed\n";
    return 1;
  }
  const std::size_t written = stream.size();

  stream.seekg(0); // the same position the archive wrote through
  sample copy;
  {
    boost::archive::binary_iarchive in(stream);
    in >> copy;
  }
  if (!(copy == original)) {
    std::cerr << "the object read back differs\n";
    return 1;
  }
  if (stream.buf().tell() != written) {
    std::cerr << "the archive did not consume exactly what was written\n";
    return 1;
  }

  std::printf("serialized %zu readings and %zu counters into %zu bytes in memory; read back "
              "equal\n",
              copy.readings.size(), copy.counters.size(), written);
  return 0;
}
