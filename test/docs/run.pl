#!/usr/bin/perl
# test/docs/run.pl: the docs test.  Every ```sql block of the Markdown files
# given (README.md and docs/*.md: `make installcheck-docs`) runs, in the
# order it appears, in one psql session per file, against a fresh database
# of the server that PGHOST/PGPORT/PGUSER name; the shown output of a block
# is compared with what psql printed.
#
#   PSQL=/usr/lib/postgresql/15/bin/psql perl test/docs/run.pl README.md docs/*.md
#   perl test/docs/run.pl --bless docs/x.md   (for a writer: replaces every
#                                             shown output that differs by
#                                             what psql printed; read the
#                                             git diff before committing)
#
# Run from the repository root (psql's \i and backquotes in the docs name
# files relative to it, as a reader of the docs runs them from a checkout).
#
# How a file is run:
#  - a fresh database compensation_docs; CREATE EXTENSION compensation
#    first unless one of the file's blocks creates it itself (the README's
#    tour starts with it);
#  - psql -X -q with ON_ERROR_STOP: the first error fails the file and names
#    the block; `\pset footer off`, TimeZone UTC and DateStyle ISO, the
#    settings the shown outputs assume;
#  - the shown output of a block is the code block (``` or ```text) that
#    follows it with only blank lines between; it must equal psql's output
#    for that block (runs of blanks and of dashes count as one, so that a
#    wide column may be shown unpadded; surrounding blank lines aside;
#    psql's "psql:FILE:LINE: " prefix of errors removed).  A block whose
#    shown output has an ERROR line is expected to fail with exactly that
#    output (ON_ERROR_STOP is off around it).  A shown output without
#    psql's header rule (----+----) shows only values: it is compared with
#    psql's output without the column headers.  Blocks without a shown output
#    only have to run.
# Markers, HTML comments that Markdown renders as nothing, placed right
# before a block (blank lines between are fine):
#   <!-- docs-test: skip REASON -->   the block is not run (it needs a Citus
#                                     cluster, a remote server...); the
#                                     reason is required and printed
#   <!-- docs-test: setup             hidden set-up run at that point, e.g.
#   \i examples/yes24/yes24_data.sql  the YES24 sample a page's examples
#   -->                               assume
# Prints `ok N - FILE (B blocks run, C outputs compared, S skipped)` or
# `not ok N - FILE` with the failing block's line, the error or the diff;
# exits non-zero if any file failed.
use strict;
use warnings;
use File::Temp qw(tempdir);

my $bless = @ARGV && $ARGV[0] eq '--bless' ? shift @ARGV : 0;
my $psql = $ENV{PSQL} || 'psql';
my $db = $ENV{COMPENSATION_DOCS_DB} || 'compensation_docs';
my @files = @ARGV or die "usage: $0 FILE.md...\n";
my $tmp = tempdir(CLEANUP => 1);

# parse(FILE): the items of a file in order: {type => 'sql', text, line,
# output => {text, line} or undef, skip => reason} or {type => 'setup', text}.
sub parse
{
	my ($file) = @_;
	open my $fh, '<', $file or die "$file: $!\n";
	my @lines = <$fh>;
	close $fh;
	my (@items, $pending_skip);
	my $i = 0;
	while ($i < @lines)
	{
		my $l = $lines[$i];
		if ($l =~ /^<!--\s*docs-test:\s*skip\s+(.*?)\s*-->\s*$/)
		{
			die "$file:" . ($i + 1) . ": a skip marker needs a reason\n" if $1 eq '';
			$pending_skip = $1;
			$i++;
			next;
		}
		if ($l =~ /^<!--\s*docs-test:\s*setup\s*$/)
		{
			my $start = $i + 1;
			my $text = '';
			$i++;
			while ($i < @lines && $lines[$i] !~ /^-->\s*$/) { $text .= $lines[$i]; $i++; }
			die "$file:$start: unterminated setup marker\n" if $i >= @lines;
			push @items, { type => 'setup', text => $text, line => $start };
			$i++;
			next;
		}
		if ($l =~ /^<!--\s*docs-test/)
		{
			die "$file:" . ($i + 1) . ": unknown docs-test marker: $l";
		}
		if ($l =~ /^```(\w*)\s*$/)
		{
			my $lang = $1;
			my $start = $i + 1;
			my $text = '';
			$i++;
			while ($i < @lines && $lines[$i] !~ /^```\s*$/) { $text .= $lines[$i]; $i++; }
			die "$file:$start: unterminated code block\n" if $i >= @lines;
			$i++;
			if ($lang eq 'sql')
			{
				my $item = { type => 'sql', text => $text, line => $start, skip => $pending_skip };
				# The shown output: the next code block, only blank lines between.
				my $j = $i;
				$j++ while $j < @lines && $lines[$j] =~ /^\s*$/;
				if ($j < @lines && $lines[$j] =~ /^```(text)?\s*$/)
				{
					my $ostart = $j + 1;
					my $out = '';
					$j++;
					while ($j < @lines && $lines[$j] !~ /^```\s*$/) { $out .= $lines[$j]; $j++; }
					die "$file:$ostart: unterminated code block\n" if $j >= @lines;
					$item->{output} = { text => $out, line => $ostart };
					$i = $j + 1;
				}
				push @items, $item;
			}
			$pending_skip = undef;
			next;
		}
		$pending_skip = undef if $l !~ /^\s*$/;
		$i++;
	}
	return @items;
}

# Lines are compared with runs of blanks and of dashes collapsed, so that a
# page may show a wide column without psql's padding.
sub normalize
{
	my ($t) = @_;
	my @l = map { s/^\s+|\s+$//gr =~ s/\s+/ /gr =~ s/-{2,}/-/gr } split /\n/, $t, -1;
	shift @l while @l && $l[0] eq '';
	pop @l while @l && $l[-1] eq '';
	return join("\n", @l) . "\n";
}

sub slurp { my ($f) = @_; open my $fh, '<', $f or return ''; local $/; my $t = <$fh>; close $fh; return $t // ''; }

sub sh
{
	my (@cmd) = @_;
	system(@cmd) == 0 or die "failed: @cmd\n";
}

my ($n, $failed) = (0, 0);
my %bless;
for my $file (@files)
{
	$n++;
	my @items = parse($file);
	my @sql = grep { $_->{type} eq 'sql' } @items;
	my $creates = grep { !$_->{skip} && $_->{text} =~ /CREATE\s+EXTENSION\s+(IF\s+NOT\s+EXISTS\s+)?compensation\b/i } @sql;

	local $ENV{PGOPTIONS} = "-c client_min_messages=warning";
	sh($psql, '-X', '-q', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1',
		'-c', "DROP DATABASE IF EXISTS $db WITH (FORCE)", '-c', "CREATE DATABASE $db");
	my $script = "\\set ON_ERROR_STOP on\n\\pset footer off\nSET TimeZone = 'UTC';\nSET DateStyle = ISO;\n"
		. "SET client_min_messages = warning;\n";
	$script .= "CREATE EXTENSION compensation;\n" unless $creates;
	my ($run, $compared, $skipped) = (0, 0, 0);
	my @skips;
	for my $k (0 .. $#items)
	{
		my $it = $items[$k];
		if ($it->{type} eq 'setup')
		{
			$script .= "\\echo '\@\@docs-setup $k'\n$it->{text}\n\\echo '\@\@docs-end $k'\n";
			next;
		}
		if ($it->{skip})
		{
			$skipped++;
			push @skips, "line $it->{line}: $it->{skip}";
			next;
		}
		$run++;
		# A block whose shown output is an error is expected to fail.
		my $fails = $it->{output} && $it->{output}{text} =~ /^ERROR:/m;
		$script .= "\\set ON_ERROR_STOP off\n" if $fails;
		$script .= "\\echo '\@\@docs-block $k'\n$it->{text}\n\\echo '\@\@docs-end $k'\n";
		$script .= "\\set ON_ERROR_STOP on\n" if $fails;
	}
	open my $sf, '>', "$tmp/script.sql" or die $!;
	print $sf $script;
	close $sf;
	# stdout and stderr in one file: psql flushes its output before an
	# error, so an error lands in the output of its block, where a block
	# that shows an error is compared with it.
	my $rc = system("$psql -X -q -d $db -f $tmp/script.sql >$tmp/out.txt 2>&1");
	my $out = slurp("$tmp/out.txt");
	$out =~ s/^psql:\S+?:\d+: //mg;

	# Split the output by block.
	my (%got, $cur, $last_started);
	for my $l (split /\n/, $out, -1)
	{
		if ($l =~ /^\@\@docs-(block|setup) (\d+)$/) { $cur = $2; $last_started = $2; $got{$cur} = ''; next; }
		if ($l =~ /^\@\@docs-end (\d+)$/) { $cur = undef; next; }
		$got{$cur} .= "$l\n" if defined $cur;
	}
	my @problems;
	if ($rc != 0)
	{
		my $where = defined $last_started
			? ($items[$last_started]{type} eq 'setup' ? 'the setup marker at line ' : 'the block at line ') . $items[$last_started]{line}
			: 'the preamble';
		my $err = defined $last_started ? $got{$last_started} : $out;
		push @problems, "$file: $where failed:\n" . join('', map { "    $_\n" } split /\n/, $err);
	}
	else
	{
		for my $k (0 .. $#items)
		{
			my $it = $items[$k];
			next unless $it->{type} eq 'sql' && !$it->{skip} && $it->{output};
			$compared++;
			my $have = $got{$k} // '';
			# A page may show only a result's values: a shown output without
			# psql's header rule (----+----) is compared without the headers.
			$have =~ s/^[^\n]*\n[ ]*-+(?:\+-+)*[ ]*\n//mg
				unless $it->{output}{text} =~ /^[ ]*-+(?:\+-+)*[ ]*$/m;
			next if normalize($it->{output}{text}) eq normalize($have);
			if ($bless)
			{
				push @{ $bless{$file} }, [ $it->{output}{line}, $it->{output}{text}, $have ];
				next;
			}
			# The difference is shown on the texts as they are.
			open my $w, '>', "$tmp/want" or die $!; print $w $it->{output}{text}; close $w;
			open my $h, '>', "$tmp/have" or die $!; print $h ($got{$k} // ''); close $h;
			my $d = `diff -u --label 'shown ($file:$it->{output}{line})' --label 'psql printed' $tmp/want $tmp/have`;
			push @problems, "$file: the output of the block at line $it->{line} differs from the one shown at line $it->{output}{line}:\n"
				. join('', map { "    $_\n" } split /\n/, $d);
		}
	}
	if (@problems)
	{
		$failed++;
		print "not ok $n - $file\n";
		print "# $_" for map { s/\n(?=.)/\n# /gr } @problems;
	}
	else
	{
		print "ok $n - $file ($run blocks run, $compared outputs compared, $skipped not run)\n";
	}
	print "#   not run: $_\n" for @skips;
}
system($psql, '-X', '-q', '-d', 'postgres', '-c', "DROP DATABASE IF EXISTS $db WITH (FORCE)");
# --bless: write psql's outputs into the shown output blocks, last first
# (so that the line numbers of the earlier ones stay right).
for my $file (sort keys %bless)
{
	open my $fh, '<', $file or die "$file: $!\n";
	my @lines = <$fh>;
	close $fh;
	for my $b (sort { $b->[0] <=> $a->[0] } @{ $bless{$file} })
	{
		my ($start, $old, $new) = @$b;
		my $count = () = $old =~ /\n/g;
		my @new = map { s/\s+$//r . "\n" } split /\n/, normalize_blank($new);
		splice @lines, $start, $count, @new;
	}
	open $fh, '>', $file or die "$file: $!\n";
	print $fh @lines;
	close $fh;
	print "# blessed ", scalar(@{ $bless{$file} }), " output(s) of $file\n";
}
sub normalize_blank
{
	my @l = split /\n/, $_[0], -1;
	shift @l while @l && $l[0] =~ /^\s*$/;
	pop @l while @l && $l[-1] =~ /^\s*$/;
	return join("\n", @l);
}
print "1..$n\n";
exit($failed ? 1 : 0);
