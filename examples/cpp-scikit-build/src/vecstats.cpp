#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace py = pybind11;

static double mean(const std::vector<double> &values) {
    if (values.empty()) throw std::invalid_argument("mean of an empty sequence");
    return std::accumulate(values.begin(), values.end(), 0.0) / values.size();
}

static double stdev(const std::vector<double> &values) {
    const double m = mean(values);
    double acc = 0.0;
    for (double v : values) acc += (v - m) * (v - m);
    return std::sqrt(acc / values.size());
}

PYBIND11_MODULE(vecstats, m) {
    m.doc() = "Small statistics in C++";
    m.def("mean", &mean, "Arithmetic mean");
    m.def("stdev", &stdev, "Population standard deviation");
}
