using System.Globalization;
using Ekm.Benchmarks;

// dotnet run -c Release --project benchmarks/Ekm.Benchmarks -- localkms [clients] [seconds]
switch (args.FirstOrDefault())
{
    case "localkms":
        var clients = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 32;
        var seconds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10;
        await LocalKmsThroughput.RunAsync(clients, TimeSpan.FromSeconds(seconds));
        return 0;
    default:
        Console.Error.WriteLine("usage: Ekm.Benchmarks localkms [clients=32] [seconds=10]");
        return 2;
}
