import Foundation
import Testing

@testable import BackupVerifier

/// The dump tool, its version and the source server, read from headers of real dumps (SOURCES.md names each).
struct DumpOriginTests {
    func origin(_ header: String) -> DumpOrigin? {
        DumpOrigin.read(head: Array(header.utf8), format: FormatDetector.detect(head: Array(header.utf8)).format)
    }

    func origin(fixture name: String) throws -> DumpOrigin? {
        let head = [UInt8](try Data(contentsOf: MySQLFixtures.url(name)).prefix(FormatDetector.headSize))
        return DumpOrigin.read(head: head, format: FormatDetector.detect(head: head).format)
    }

    @Test func mysqldumpAndMariaDBDumpHeaders() throws {
        #expect(try origin(fixture: "mysql80-worldx-collections.sql") == DumpOrigin(tool: "mysqldump 8.0.23", sourceServer: "MySQL 8.0.23"))
        #expect(try origin(fixture: "mysql57-gtid-commented-sql-log-bin.sql")
            == DumpOrigin(tool: "mysqldump 5.7.21", sourceServer: "MySQL 5.7.21-enterprise-commercial-advanced-log"))
        #expect(try origin(fixture: "mariadb-10.11-databases-shop-blog.sql")
            == DumpOrigin(tool: "MariaDB dump 10.19 (MariaDB 10.11.19)", sourceServer: "MariaDB 10.11.19"))
        // mysqldump of MariaDB 10.1 called itself "MySQL dump" (LF-Engineering/dev-analytics-affiliation, sh/sh_structure.sql).
        let old = "-- MySQL dump 10.16  Distrib 10.1.44-MariaDB, for debian-linux-gnu (x86_64)\n--\n-- Host: db    Database: sortinghat\n"
            + "-- ------------------------------------------------------\n-- Server version\t10.3.16-MariaDB-log\n\n/*!40101 SET NAMES utf8mb4 */;\n"
        #expect(origin(old) == DumpOrigin(tool: "mysqldump 10.16 (MariaDB 10.1.44)", sourceServer: "MariaDB 10.3.16"))
        // A headerless dump has no origin to report.
        #expect(try origin(fixture: "mysql80-gtid-purged-rails-schema.sql") == nil)
    }

    @Test func phpMyAdminHeadersInAnyLanguage() throws {
        #expect(try origin(fixture: "phpmyadmin-4.8.4-mariadb-10.1-test.sql") == DumpOrigin(tool: "phpMyAdmin 4.8.4", sourceServer: "MariaDB 10.1.37"))
        let spanish = "-- phpMyAdmin SQL Dump\n-- version 5.2.2\n-- https://www.phpmyadmin.net/\n--\n-- Servidor: database:3306\n"
            + "-- Tiempo de generación: 02-03-2026 a las 11:05:17\n-- Versión del servidor: 8.4.5\n-- Versión de PHP: 8.2.28\n\nSET SQL_MODE = \"NO_AUTO_VALUE_ON_ZERO\";\n"
        #expect(origin(spanish) == DumpOrigin(tool: "phpMyAdmin 5.2.2", sourceServer: "MySQL 8.4.5"))
        let turkish = "-- phpMyAdmin SQL Dump\n-- version 4.5.1\n-- http://www.phpmyadmin.net\n--\n-- Anamakine: 127.0.0.1\n"
            + "-- Üretim Zamanı: 19 Ara 2015, 02:18:59\n-- Sunucu sürümü: 10.1.9-MariaDB\n-- PHP Sürümü: 5.5.30\n\n"
        #expect(origin(turkish) == DumpOrigin(tool: "phpMyAdmin 4.5.1", sourceServer: "MariaDB 10.1.9"))
        let ubuntu = "-- phpMyAdmin SQL Dump\n-- version 4.0.10deb1\n-- http://www.phpmyadmin.net\n--\n-- Host: localhost\n"
            + "-- Generation Time: Jan 17, 2015 at 12:34 PM\n-- Server version: 5.5.40-0ubuntu0.14.04.1\n-- PHP Version: 5.5.9-1ubuntu4.5\n\n"
        #expect(origin(ubuntu) == DumpOrigin(tool: "phpMyAdmin 4.0.10deb1", sourceServer: "MySQL 5.5.40-0ubuntu0.14.04.1"))
    }

    @Test func adminerHeidiSQLMysqldumpPHPAndTheNpmPackage() throws {
        #expect(try origin(fixture: "adminer-4.8.1-mysql80-encryption.sql") == DumpOrigin(tool: "Adminer 4.8.1", sourceServer: "MySQL 8.0.29"))
        #expect(try origin(fixture: "adminer-4.7.5-mysql80-two-databases.sql") == DumpOrigin(tool: "Adminer 4.7.5", sourceServer: nil))
        #expect(origin("-- Adminer 4.8.1 MySQL 5.5.5-10.6.4-MariaDB-1:10.6.4+maria~focal dump\n\nSET NAMES utf8;\n")
            == DumpOrigin(tool: "Adminer 4.8.1", sourceServer: "MariaDB 10.6.4"))
        let heidi = "-- --------------------------------------------------------\n-- Host:                         127.0.0.1\n"
            + "-- Server version:               10.4.14-MariaDB - mariadb.org binary distribution\n-- Server OS:                    Win64\n"
            + "-- HeidiSQL Version:             11.0.0.5919\n-- --------------------------------------------------------\n\n"
            + "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n"
        #expect(origin(heidi) == DumpOrigin(tool: "HeidiSQL 11.0.0.5919", sourceServer: "MariaDB 10.4.14"))
        let heidiFrench = "-- --------------------------------------------------------\n-- Hôte:                         127.0.0.1\n"
            + "-- Version du serveur:           8.0.30 - MySQL Community Server - GPL\n-- SE du serveur:                Win64\n"
            + "-- HeidiSQL Version:             12.1.0.6537\n-- --------------------------------------------------------\n\n/*!40101 SET NAMES utf8 */;\n"
        #expect(origin(heidiFrench) == DumpOrigin(tool: "HeidiSQL 12.1.0.6537", sourceServer: "MySQL 8.0.30"))
        let php = "-- mysqldump-php https://github.com/ifsnop/mysqldump-php\n--\n-- Host: localhost\tDatabase: aji_ta\n"
            + "-- ------------------------------------------------------\n-- Server version \t5.5.5-10.1.38-MariaDB\n-- Date: Thu, 27 Jun 2019 06:46:34 +0200\n\n"
            + "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n"
        #expect(origin(php) == DumpOrigin(tool: "mysqldump-php", sourceServer: "MariaDB 10.1.38"))
        let npm = "/*!40101 SET NAMES utf8 */;\n\n# ------------------------------------------------------------\n# SCHEMA DUMP FOR TABLE: author\n"
            + "# ------------------------------------------------------------\n\nCREATE TABLE IF NOT EXISTS `author` (\n  `id` int NOT NULL AUTO_INCREMENT\n) ENGINE = InnoDB;\n"
        #expect(origin(npm) == DumpOrigin(tool: "mysqldump (npm package)", sourceServer: nil))
    }

    @Test func toolsWithoutTheMysqldumpMarkersAreStillRecognisedAsMySQL() {
        // phpMyAdmin 5.2 on MySQL 8.4 writes no /*!40101 lines; Adminer never does; nor does a headerless export.
        let phpMyAdmin = "-- phpMyAdmin SQL Dump\n-- version 5.2.2\n\nSET SQL_MODE = \"NO_AUTO_VALUE_ON_ZERO\";\nSTART TRANSACTION;\n"
        #expect(FormatDetector.detect(head: Array(phpMyAdmin.utf8)).format == .mysqlDump)
        let adminer = "-- Adminer 4.7.1 MySQL dump\n\nSET NAMES utf8;\nSET time_zone = '+00:00';\n"
        #expect(FormatDetector.detect(head: Array(adminer.utf8)).format == .mysqlDump)
        let headerless = "DROP TABLE IF EXISTS `t`;\nCREATE TABLE `t` (\n  `id` int NOT NULL\n) ENGINE=InnoDB DEFAULT CHARSET=latin1;\nINSERT INTO `t` VALUES (1);\n"
        let result = FormatDetector.detect(head: Array(headerless.utf8))
        #expect(result.format == .mysqlDump)
        #expect(result.evidence.contains("no tool header"))
        // Backticks alone do not make a MySQL dump, and Adminer's PostgreSQL dumps are not MySQL ones.
        #expect(FormatDetector.detect(head: Array("CREATE TABLE `t` (`a` int);\nINSERT INTO `t` VALUES (1);\n".utf8)).format == nil)
        #expect(FormatDetector.detect(head: Array("-- Adminer 4.8.1 PostgreSQL 14.5 dump\n\nCREATE TABLE \"t\" (\"a\" integer);\n".utf8)).format == nil)
    }
}
