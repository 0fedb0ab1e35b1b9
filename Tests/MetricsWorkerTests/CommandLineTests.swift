import AnalyticsCore
import ArgumentParser
@testable import MetricsWorker
import Testing

/// The job commands' options, parsed the way `metrics-worker` parses argv.
@Suite("Worker command line")
struct CommandLineTests {
    /// Parses `arguments` with `Command` and returns the usage error's exit code and message.
    static func rejection<Command: ParsableCommand>(_ command: Command.Type, _ arguments: [String]) -> (ExitCode, String)? {
        do {
            _ = try command.parse(arguments)
            return nil
        } catch {
            return (command.exitCode(for: error), command.message(for: error))
        }
    }

    @Test("--as-of takes a calendar date; absent means today (resolved later)")
    func goodAsOf() throws {
        let command = try FullRefreshCommand.parse(["--as-of", "2024-02-29"])
        #expect(command.asOf.asOf == CalendarDate(year: 2024, month: 2, day: 29))
        #expect(try FullRefreshCommand.parse([]).asOf.asOf == nil)
        #expect(try BranchMetricsCommand.parse(["--as-of", "2024-06-15"]).asOf.asOf == CalendarDate(iso: "2024-06-15"))
    }

    @Test("a bad --as-of is a usage error naming the option (exit 64)",
          arguments: ["2024-02-30", "2023-02-29", "2024-13-01", "2024-6-15", "15/06/2024", "yesterday", ""])
    func badAsOf(value: String) throws {
        let (code, message) = try #require(Self.rejection(RefreshLoansCommand.self, ["--as-of", value]))
        #expect(code == .usage)
        #expect(message.contains("--as-of"), "\(message)")
        #expect(message.contains("'\(value)'"), "\(message)")
    }

    @Test("--partition takes K/N with 0 <= K < N; the default is every loan")
    func goodPartition() throws {
        #expect(try OfficerMetricsCommand.parse(["--partition", "1/4"]).partition.partition == Partition(index: 1, count: 4))
        #expect(try Par15SnapshotCommand.parse(["--partition", "0/1"]).partition.partition == .all)
        #expect(try RefreshLoansCommand.parse(["--changed-only"]).partition.partition == .all)
        #expect(try FullRefreshCommand.parse(["--partition", "9999/10000"]).partition.partition == Partition(index: 9999, count: 10_000))
    }

    @Test("a bad --partition is a usage error naming the option (exit 64)",
          arguments: ["4/4", "1/0", "-1/2", "1/4/5", "a/b", "1", "0/10001", ""])
    func badPartition(value: String) throws {
        let (code, message) = try #require(Self.rejection(FullRefreshCommand.self, ["--partition", value]))
        #expect(code == .usage)
        #expect(message.contains("--partition"), "\(message)")
    }

    @Test("calculate-branch-metrics and archive-old-data have no --partition: it is a usage error, not ignored")
    func wholeTableJobsRejectPartition() throws {
        for arguments in [["calculate-branch-metrics", "--partition", "1/4"], ["archive-old-data", "--partition", "0/2"]] {
            do {
                _ = try MetricsWorker.parseAsRoot(arguments)
                Issue.record("accepted \(arguments)")
            } catch {
                #expect(MetricsWorker.exitCode(for: error) == .usage)
                #expect(MetricsWorker.message(for: error).contains("--partition"), "\(MetricsWorker.message(for: error))")
            }
        }
        #expect(!BranchMetricsCommand.helpMessage().contains("--partition"))
        #expect(!ArchiveCommand.helpMessage().contains("--partition"))
        #expect(RefreshLoansCommand.helpMessage().contains("--partition"))
    }

    @Test("--partition's help shows its default once")
    func partitionHelpShowsDefaultOnce() {
        let help = PartitionOption.helpMessage(columns: 1000)
        #expect(help.ranges(of: "default").count == 1, "\(help)")
        #expect(help.contains("(default: 0/1)"), "\(help)")
    }

    @Test("seed-demo's --as-of is parsed the same way")
    func seedDemoAsOf() throws {
        #expect(try SeedDemoCommand.parse(["--as-of", "2024-09-30"]).asOf == CalendarDate(iso: "2024-09-30"))
        let (code, message) = try #require(Self.rejection(SeedDemoCommand.self, ["--as-of", "2024-09-31"]))
        #expect(code == .usage && message.contains("--as-of"))
    }

    @Test("daemon: --as-of, --metrics-port, --no-schedule or --no-follow (not both), no --partition")
    func daemonOptions() throws {
        let command = try DaemonCommand.parse(["--as-of", "2024-11-01", "--metrics-port", "0", "--no-follow"])
        #expect(command.asOf.asOf == CalendarDate(iso: "2024-11-01"))
        #expect(command.metricsPort == 0 && command.noFollow && !command.noSchedule)
        let defaults = try DaemonCommand.parse([])
        #expect(defaults.asOf.asOf == nil && defaults.metricsPort == nil && !defaults.noFollow && !defaults.noSchedule)
        for arguments in [["--no-schedule", "--no-follow"], ["--metrics-port", "65536"], ["--partition", "0/2"], ["--as-of", "2024-02-30"]] {
            let (code, message) = try #require(Self.rejection(DaemonCommand.self, arguments), "accepted \(arguments)")
            #expect(code == .usage)
            #expect(message.contains(arguments[0]), "\(message)")
        }
    }

    @Test("the root command lists daemon among its subcommands")
    func rootListsDaemon() throws {
        #expect(MetricsWorker.helpMessage().contains("daemon"))
        #expect(try MetricsWorker.parseAsRoot(["daemon", "--no-schedule"]) is DaemonCommand)
    }
}
