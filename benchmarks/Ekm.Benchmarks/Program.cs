using System.Globalization;
using Ekm.Benchmarks;

// dotnet run -c Release --project benchmarks/Ekm.Benchmarks -- <benchmark> [arguments]
// Each benchmark prints its command, the machine and a table; docs/benchmarks.md records the results.
var rest = args.Skip(1).ToArray();
switch (args.FirstOrDefault())
{
    case "localkms":
        var clients = rest.Length > 0 ? int.Parse(rest[0], CultureInfo.InvariantCulture) : 32;
        var seconds = rest.Length > 1 ? int.Parse(rest[1], CultureInfo.InvariantCulture) : 10;
        await LocalKmsThroughput.RunAsync(clients, TimeSpan.FromSeconds(seconds));
        return 0;
    case "admission":
        return await AdmissionBenchmark.RunAsync(rest);
    case "key-update":
        return await KeyUpdateBenchmark.RunAsync(rest);
    case "scale":
        return await ScaleBenchmark.RunAsync(rest);
    case "kms-calls":
        return await KmsCallsBenchmark.RunAsync(rest);
    case "data-path":
        return DataPathBenchmark.Run(rest);
    case "api-keys":
        return ApiKeyBenchmark.Run(rest);
    default:
        Console.Error.WriteLine("usage: Ekm.Benchmarks localkms [clients=32] [seconds=10] | admission | key-update | scale | kms-calls | data-path | api-keys  (each: --help)");
        return 2;
}
