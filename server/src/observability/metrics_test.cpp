#include "observability/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <thread>
#include <vector>

namespace veza::obs {
namespace {

TEST(MetricsTest, CounterWithoutLabelsRendersFromZero) {
  Registry r;
  CounterFamily& c = r.AddCounter("jobs_done_total", "Jobs finished.");
  EXPECT_EQ(r.Render(),
            "# HELP jobs_done_total Jobs finished.\n"
            "# TYPE jobs_done_total counter\n"
            "jobs_done_total 0\n");
  c.Get().Inc();
  c.Get().Inc(4);
  c.Get().Add(0.25);
  c.Get().Add(-3);  // ignored: counters never decrease
  EXPECT_EQ(r.Render(),
            "# HELP jobs_done_total Jobs finished.\n"
            "# TYPE jobs_done_total counter\n"
            "jobs_done_total 5.25\n");
}

TEST(MetricsTest, LabelledSeriesSortedAndEscaped) {
  Registry r;
  CounterFamily& c = r.AddCounter("http_total", "Requests with \\ and\nnewline.", {"method", "path"});
  EXPECT_EQ(r.Render(), "");  // a labelled family with no series yet is left out
  c.WithLabels({"POST", "/b"}).Inc(2);
  c.WithLabels({"GET", "say \"hi\"\\\n"}).Inc();
  c.WithLabels({"GET", "/a"}).Inc(3);
  EXPECT_EQ(r.Render(),
            "# HELP http_total Requests with \\\\ and\\nnewline.\n"
            "# TYPE http_total counter\n"
            "http_total{method=\"GET\",path=\"/a\"} 3\n"
            "http_total{method=\"GET\",path=\"say \\\"hi\\\"\\\\\\n\"} 1\n"
            "http_total{method=\"POST\",path=\"/b\"} 2\n");
}

TEST(MetricsTest, HandlesAreStableAndShared) {
  Registry r;
  CounterFamily& c = r.AddCounter("x_total", "X.", {"k"});
  Counter& a = c.WithLabels({"a"});
  // Force several table growths; the first handle must stay valid and distinct.
  for (int i = 0; i < 1000; ++i) c.WithLabels({std::to_string(i)}).Inc();
  EXPECT_EQ(&a, &c.WithLabels({"a"}));
  EXPECT_EQ(&c.WithLabels({"999"}), &c.WithLabels({"999"}));
  EXPECT_NE(&c.WithLabels({"ab"}), &c.WithLabels({"a"}));
  a.Inc();
  EXPECT_EQ(a.Value(), 1);
  EXPECT_EQ(c.WithLabels({"5"}).Value(), 1);
}

TEST(MetricsTest, LabelValueBoundariesAreDistinct) {
  Registry r;
  CounterFamily& c = r.AddCounter("pairs_total", "Pairs.", {"a", "b"});
  c.WithLabels({"ab", "c"}).Inc();
  c.WithLabels({"a", "bc"}).Inc(2);
  EXPECT_EQ(c.WithLabels({"ab", "c"}).Value(), 1);
  EXPECT_EQ(c.WithLabels({"a", "bc"}).Value(), 2);
}

TEST(MetricsTest, GaugeAndCallbacks) {
  Registry r;
  GaugeFamily& g = r.AddGauge("in_flight", "Requests in flight.");
  g.Get().Inc();
  g.Get().Inc();
  g.Get().Dec();
  double pool = 7;
  r.AddCallbackGauge("pool_size", "Connections in the pool.", [&pool] { return pool; });
  r.AddCallbackCounter("bytes_seen_total", "Bytes.", [] { return 1e20; });
  pool = 3.5;
  EXPECT_EQ(r.Render(),
            "# HELP in_flight Requests in flight.\n"
            "# TYPE in_flight gauge\n"
            "in_flight 1\n"
            "# HELP pool_size Connections in the pool.\n"
            "# TYPE pool_size gauge\n"
            "pool_size 3.5\n"
            "# HELP bytes_seen_total Bytes.\n"
            "# TYPE bytes_seen_total counter\n"
            "bytes_seen_total 1e+20\n");
  g.Get().Set(-2);
  EXPECT_NE(r.Render().find("\nin_flight -2\n"), std::string::npos);
}

TEST(MetricsTest, HistogramExactText) {
  Registry r;
  HistogramFamily& h = r.AddHistogram("latency_seconds", "Latency.", {"route"}, {0.005, 0.1, 1});
  Histogram& x = h.WithLabels({"/x"});
  x.Observe(0.001);
  x.Observe(0.005);  // equal to a bound: counts in that bucket (le = less or equal)
  x.Observe(0.5);
  x.Observe(30);
  EXPECT_EQ(r.Render(),
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{route=\"/x\",le=\"0.005\"} 2\n"
            "latency_seconds_bucket{route=\"/x\",le=\"0.1\"} 2\n"
            "latency_seconds_bucket{route=\"/x\",le=\"1\"} 3\n"
            "latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 4\n"
            "latency_seconds_sum{route=\"/x\"} 30.506\n"
            "latency_seconds_count{route=\"/x\"} 4\n");
}

TEST(MetricsTest, HistogramWithoutLabelsUsesDefaultLatencyBuckets) {
  Registry r;
  r.AddHistogram("d_seconds", "D.");
  std::string text = r.Render();
  EXPECT_NE(text.find("d_seconds_bucket{le=\"0.0005\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("d_seconds_bucket{le=\"0.0025\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("d_seconds_bucket{le=\"10\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("d_seconds_bucket{le=\"+Inf\"} 0\nd_seconds_sum 0\nd_seconds_count 0\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(DefaultLatencyBuckets().front(), 0.0005);
  EXPECT_EQ(DefaultLatencyBuckets().back(), 10);
}

TEST(MetricsTest, CollectorWithLabels) {
  Registry r;
  r.AddCollector([](std::vector<CollectedMetric>& out) {
    out.push_back({"queue_depth", "Jobs waiting.", MetricType::kGauge,
                   {{{{"queue", "media"}}, 4}, {{{"queue", "mail"}}, 0}}});
  });
  EXPECT_EQ(r.Render(),
            "# HELP queue_depth Jobs waiting.\n"
            "# TYPE queue_depth gauge\n"
            "queue_depth{queue=\"media\"} 4\n"
            "queue_depth{queue=\"mail\"} 0\n");
}

TEST(MetricsTest, ValueFormatting) {
  auto fmt = [](double v) {
    std::string s;
    AppendValue(s, v);
    return s;
  };
  EXPECT_EQ(fmt(0), "0");
  EXPECT_EQ(fmt(-7), "-7");
  EXPECT_EQ(fmt(0.1), "0.1");
  EXPECT_EQ(fmt(1.0 / 0.0), "+Inf");
  EXPECT_EQ(fmt(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(fmt(std::nan("")), "NaN");
  EXPECT_EQ(fmt(123456789012.0), "123456789012");
  EXPECT_EQ(fmt(0.0005), "0.0005");
  EXPECT_EQ(fmt(0.00001), "1e-05");
  EXPECT_EQ(fmt(2.5e20), "2.5e+20");
  EXPECT_EQ(fmt(1234.5), "1234.5");
}

TEST(MetricsTest, RegistrationRules) {
  Registry r;
  CounterFamily& a = r.AddCounter("same_total", "A.", {"x"});
  EXPECT_EQ(&a, &r.AddCounter("same_total", "A again.", {"x"}));
  EXPECT_THROW(r.AddCounter("same_total", "A.", {"y"}), std::logic_error);
  EXPECT_THROW(r.AddGauge("same_total", "A."), std::logic_error);
  EXPECT_THROW(r.AddCounter("bad-name", "B."), std::logic_error);
  EXPECT_THROW(r.AddCounter("ok_total", "B.", {"__reserved"}), std::logic_error);
  EXPECT_THROW(r.AddCounter("ok_total", "B.", {"a", "a"}), std::logic_error);
  EXPECT_THROW(r.AddHistogram("h", "H.", {"le"}), std::logic_error);
  EXPECT_THROW(r.AddHistogram("h", "H.", {}, {1, 0.5}), std::logic_error);
  r.AddCallbackGauge("cb", "C.", [] { return 1.0; });
  EXPECT_THROW(r.AddCounter("cb", "C."), std::logic_error);
  EXPECT_THROW(r.AddCallbackGauge("cb", "C.", [] { return 1.0; }), std::logic_error);
  EXPECT_THROW(a.WithLabels({"1", "2"}), std::logic_error);
  EXPECT_TRUE(IsValidMetricName("a:b_c9"));
  EXPECT_FALSE(IsValidMetricName("9a"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
}

TEST(MetricsTest, ConcurrentUpdatesAndLookupsAreExact) {
  Registry r;
  CounterFamily& c = r.AddCounter("c_total", "C.", {"k"});
  HistogramFamily& h = r.AddHistogram("h_seconds", "H.", {"k"}, {1});
  constexpr int kThreads = 4, kIters = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIters; ++i) {
        // New series appear while other threads read: exercises table growth under readers.
        std::string k = std::to_string(i % 97);
        c.WithLabels({k}).Inc();
        h.WithLabels({k}).Observe(t % 2 == 0 ? 0.5 : 2);
        if (i % 1000 == 0) (void)r.Render();
      }
    });
  }
  for (auto& t : threads) t.join();
  double total = 0;
  uint64_t count = 0, le1 = 0;
  for (int i = 0; i < 97; ++i) {
    total += c.WithLabels({std::to_string(i)}).Value();
    auto snap = h.WithLabels({std::to_string(i)}).Snap();
    count += snap.count;
    le1 += snap.cumulative[0];
  }
  EXPECT_EQ(total, kThreads * kIters);
  EXPECT_EQ(count, static_cast<uint64_t>(kThreads * kIters));
  EXPECT_EQ(le1, static_cast<uint64_t>(kThreads / 2 * kIters));
}

}  // namespace
}  // namespace veza::obs
