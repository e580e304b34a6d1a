#!/usr/bin/perl
# extract_seeds.pl ROOT OUTDIR
#
# Writes the seed texts of the fuzz corpus, one file each, into OUTDIR:
#   policy-*.txt  every policy text in ROOT/policies/*.policy, in the SQL
#                 literals of ROOT/sql/*.sql ('policy "...' with '' for a
#                 quote, or $$ / $tag$ quoted) and in the ``` blocks of
#                 ROOT/docs/*.md and ROOT/README.md that start a policy;
#   award-*.txt   every award literal ('KRW {...}', '{...}') in ROOT/sql/*.sql.
# Duplicates are written once.
use strict;
use warnings;

my ($root, $out) = @ARGV;
die "usage: $0 ROOT OUTDIR\n" unless defined $out;
mkdir $out unless -d $out;

my %seen;
my %n = (policy => 0, award => 0);

sub emit {
	my ($kind, $text) = @_;
	return if $seen{"$kind\0$text"}++;
	my $f = sprintf("%s/%s-%04d.txt", $out, $kind, $n{$kind}++);
	open(my $fh, '>:raw', $f) or die "$f: $!";
	print $fh $text;
	close $fh;
}

sub slurp {
	my ($f) = @_;
	open(my $fh, '<:raw', $f) or die "$f: $!";
	local $/;
	my $s = <$fh>;
	close $fh;
	return $s;
}

for my $f (glob("$root/policies/*.policy")) {
	emit('policy', slurp($f));
}

for my $f (glob("$root/sql/*.sql")) {
	my $s = slurp($f);
	# single-quoted literals, '' inside
	while ($s =~ /'((?:[^']|'')*)'/g) {
		my $lit = $1;
		$lit =~ s/''/'/g;
		if ($lit =~ /^\s*(--[^\n]*\n\s*)*policy\s+"/) {
			emit('policy', $lit);
		} elsif ($lit =~ /^\s*(?:[A-Z]{3}\s*)?\{.*\}\s*$/s) {
			emit('award', $lit);
		}
	}
	# dollar-quoted literals
	while ($s =~ /(\$[A-Za-z_]*\$)(.*?)\1/gs) {
		my $lit = $2;
		emit('policy', $lit) if $lit =~ /^\s*(--[^\n]*\n\s*)*policy\s+"/;
	}
}

for my $f (glob("$root/docs/*.md"), "$root/README.md") {
	next unless -f $f;
	my $s = slurp($f);
	while ($s =~ /^```[a-z]*\n(.*?)^```/gms) {
		my $block = $1;
		emit('policy', $block) if $block =~ /^\s*(--[^\n]*\n\s*)*policy\s+"/;
	}
}

printf "extract_seeds: %d policy texts, %d award texts\n", $n{policy}, $n{award};
