Console.WriteLine("vidgen");
